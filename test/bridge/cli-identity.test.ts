/**
 * `wristpay bridge identity register|login|list|require` in-process against the real checkout
 * and the real firmware: --json shapes, exit codes, and bad input (a locked band, a code that
 * does not exist, not on/off).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loginState, startLogin } from '../../checkout/api/identity-client.ts';
import { enrollBand, unlockBand } from '../../bridge/flows/index.ts';
import { InProcessTransport } from '../../harness/transport/in-process.ts';
import { runCli } from './helpers/cli.ts';
import { PASSWORD, type World, startWorld } from './helpers/world.ts';

let w: World;
let dir: string;
let presser: NodeJS.Timeout | undefined;

function cli(argv: string[], withUser = true) {
  const owner = withUser ? ['--user', w.username, '--password-stdin'] : [];
  return runCli(['bridge', 'identity', ...argv, ...owner, '--checkout', w.h.server.url, '--json'], {
    env: { XDG_CONFIG_HOME: dir },
    stdin: `${PASSWORD}\n`,
    io: { provider: w.h.provider, transport: () => new InProcessTransport([{ radio: w.band.env.radio }]) },
  });
}

/** The wearer presses the button whenever the band asks (a press with nothing pending does nothing). */
function wearerPresses(): void {
  presser = setInterval(() => w.band.env.button.press(), 50);
}

beforeAll(async () => {
  w = await startWorld(17);
  dir = mkdtempSync(join(tmpdir(), 'wristpay-identity-cli-'));
  const e = await enrollBand(w.owner, await w.session(), { name: 'id band' });
  if (!e.ok) throw new Error(e.message);
  (await w.session()).close();
});
afterEach(() => clearInterval(presser));
afterAll(async () => {
  await w?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('wristpay bridge identity', () => {
  it('register: a band that is not worn is refused, exit 1 with NOT_WORN', async () => {
    const r = await cli(['register', '--scan-ms', '0']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.json()).toMatchObject({ ok: false, error: { name: 'NOT_WORN' } });
  });

  it('register, then login CODE signs a waiting sign-in in; list shows the key, its counter risen', async () => {
    w.band.putOn();
    const u = await unlockBand(w.h.client, await w.session(), w.username, PASSWORD);
    if (!u.ok) throw new Error(u.message);
    (await w.session()).close();
    wearerPresses();
    const reg = await cli(['register', '--scan-ms', '0']);
    expect(reg.code, reg.stdout + reg.stderr).toBe(0);
    const v = reg.json() as { credential: { credentialId: string; counter: number }; rpId: string };
    expect(v).toMatchObject({ ok: true, rpId: '127.0.0.1', credential: { counter: 0, required: false } });

    const waiting = await startLogin(w.h.client);
    const login = await cli(['login', waiting.code, '--scan-ms', '0'], false);
    expect(login.code, login.stdout + login.stderr).toBe(0);
    expect(login.json()).toMatchObject({
      ok: true,
      response: { id: v.credential.credentialId, type: 'public-key' },
      expectedRPID: '127.0.0.1',
      expectedOrigin: w.h.server.url,
    });
    expect(await loginState(w.h.client, waiting.ceremonyId, waiting.secret)).toMatchObject({ state: 'signed-in' });

    const list = await cli(['list']);
    expect(list.code).toBe(0);
    expect(list.json()).toMatchObject({ credentials: [{ credentialId: v.credential.credentialId, counter: 1 }] });
  });

  it('login with a code that does not exist: NOT_FOUND, exit 1; the same code twice: REPLAYED', async () => {
    const none = await cli(['login', 'NOSUCHCD', '--scan-ms', '0'], false);
    expect(none.code).toBe(1);
    expect(none.json()).toMatchObject({ ok: false, error: { name: 'NOT_FOUND' } });
    wearerPresses();
    const waiting = await startLogin(w.h.client);
    expect((await cli(['login', waiting.code, '--scan-ms', '0'], false)).code).toBe(0);
    const again = await cli(['login', waiting.code, '--scan-ms', '0'], false);
    expect(again.json()).toMatchObject({ ok: false, error: { name: 'REPLAYED' } });
  });

  it('require: on or off, nothing else (exit 2); on sets it on every key', async () => {
    expect((await cli(['require', 'maybe'])).code).toBe(2);
    const on = await cli(['require', 'on']);
    expect(on.code, on.stderr).toBe(0);
    expect(on.json()).toMatchObject({ credentials: [{ required: true }] });
  });
});
