/**
 * `wristpay bridge find` (issue 15, item 3) in-process against the real checkout and the real
 * firmware: where and when the owner's band was last seen — an unlock, a payment at a till, a
 * refusal once it came off the wrist, the wipe after it was revoked — its battery then, and
 * `--ring`: the next till that sees the lost band makes it ring — with the --json shape and
 * the exit codes of the one table; bad input (not a device id, an unknown band, another
 * owner's band, a wrong password, no checkout).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckoutClient } from '../../checkout/api/client.ts';
import type { Api } from '../../checkout/api/client.ts';
import { SEEN_STEP_MS } from '../../checkout/core/last-seen.ts';
import { addCard, charge, enrollBand, revoke, unlockBand } from '../../bridge/flows/index.ts';
import type { Outcome } from '../../bridge/flows/index.ts';
import { runCli } from './helpers/cli.ts';
import { PASSWORD, type World, ownerAccount, startWorld, unique } from './helpers/world.ts';

let w: World;
let dir: string;
let deviceId: string;

function must<T>(o: Outcome<T>): T {
  if (!o.ok) throw new Error(`${o.name}: ${o.message}`);
  return o.value;
}

function find(args: string[], opts: { user?: string; stdin?: string; checkout?: string } = {}) {
  return runCli(
    [
      'bridge',
      'find',
      '--user',
      opts.user ?? w.username,
      '--password-stdin',
      '--checkout',
      opts.checkout ?? w.h.server.url,
      ...args,
    ],
    { env: { XDG_CONFIG_HOME: dir }, stdin: opts.stdin ?? `${PASSWORD}\n`, io: { provider: w.h.provider } },
  );
}

async function found(): Promise<Api.FoundBandView> {
  const r = await find(['--json']);
  expect(r.code, r.stdout + r.stderr).toBe(0);
  const v = r.json() as { ok: boolean; band: Api.FoundBandView };
  expect(Object.keys(v).sort()).toEqual(['band', 'ok']);
  return v.band;
}

/** Runs `step`; the checkout-clock span it ran in. */
async function during(step: () => Promise<unknown>): Promise<[number, number]> {
  const from = w.h.clock.now();
  await step();
  return [from, w.h.clock.now()];
}

function expectAt(seen: Api.LastSeenView | null, [from, to]: [number, number]): void {
  expect(seen?.at).toBeGreaterThanOrEqual(from);
  expect(seen?.at).toBeLessThanOrEqual(to);
}

beforeAll(async () => {
  w = await startWorld(21);
  dir = mkdtempSync(join(tmpdir(), 'wristpay-find-'));
  const session = await w.session();
  deviceId = must(await enrollBand(w.owner, session, { name: 'blue band' })).deviceId;
  must(await addCard(w.owner, session, deviceId, { issuerId: 'icbc' }));
}, 60_000);
afterAll(async () => {
  await w?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('wristpay bridge find', () => {
  it('never seen after enrollment; then an unlock: a contact at no terminal, battery unknown', async () => {
    expect(await found()).toEqual({
      deviceId,
      name: 'blue band',
      status: 'active',
      lastSeen: null,
      ringRequestedAt: null,
      rangAt: null,
    });
    const never = await find([]);
    expect(never.stdout).toBe(
      `band ${deviceId} "blue band": active\n  never seen since it was enrolled\n  battery: unknown (it said nothing at its last contact)\n  ring: not asked (--ring makes it ring at its next contact)\n`,
    );
    w.band.putOn();
    const span = await during(async () =>
      must(await unlockBand(new CheckoutClient(w.h.server.url), await w.session(), w.username, PASSWORD)),
    );
    const band = await found();
    // The test environment's charger has no fuel gauge: the hello says nothing of the battery.
    expect(band.lastSeen).toMatchObject({ merchant: null, terminal: null, battery: null });
    expectAt(band.lastSeen, span);
    expect((await find([])).stdout).toContain('  last seen when you unlocked it (not at a terminal), ');
  });

  it("a payment at a till: the merchant's name and the terminal's, the time, and the battery the band reported", async () => {
    w.band.env.charger.battery = 42;
    const span = await during(async () => {
      const r = await charge(w.terminal, await w.session(), { amount: 12_34, currency: 'CNY', orderId: unique('o-') });
      expect(r.ok).toBe(true);
    });
    const band = await found();
    expect(band.lastSeen).toMatchObject({ merchant: 'Tea House', terminal: w.identity.name, battery: 42 });
    expectAt(band.lastSeen, span);
    const human = await find(['--band', deviceId.toUpperCase()]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('  battery: 42 % at its last contact\n');
    expect(human.stdout).toContain(
      `  last seen at Tea House's terminal ${w.identity.name}, ${new Date(band.lastSeen?.at as number).toISOString()}\n`,
    );
  });

  it('taken off mid-way: the refused charge still counts as a contact', async () => {
    w.band.takeOff();
    w.h.clock.advance(SEEN_STEP_MS);
    const span = await during(async () => {
      const r = await charge(w.terminal, await w.session(), { amount: 5_00, currency: 'CNY', orderId: unique('o-') });
      expect(r).toMatchObject({ ok: false, outcome: 'password-needed', reason: { name: 'NOT_WORN' } });
    });
    expectAt((await found()).lastSeen, span);
  });

  it('--ring: the next till that sees the lost band makes it ring and flash; the request then closes', async () => {
    const asked = await find(['--ring', '--json']);
    expect(asked.code, asked.stderr).toBe(0);
    const requested = (asked.json() as { band: Api.FoundBandView }).band.ringRequestedAt;
    expect(requested).toBeGreaterThan(0);
    expect((await find([])).stdout).toContain('  ring: asked ');
    w.h.clock.advance(SEEN_STEP_MS);
    const span = await during(async () => {
      const r = await charge(w.terminal, await w.session(), { amount: 2_00, currency: 'CNY', orderId: unique('o-') });
      // Not a password fallback: whoever holds a band its owner is looking for is not its owner.
      expect(r).toMatchObject({
        ok: false,
        outcome: 'declined',
        refusal: { name: 'FIND_REQUESTED', ring: { delivered: true } },
      });
    });
    expect(w.band.env.display.current).toEqual(['Find me', 'Owner is looking']);
    // It flashes (blank, "Find me", …) for five seconds, buzzing, and ends showing "Find me".
    const shown = w.band.env.display.history.length;
    const buzzes = w.band.env.haptics.buzzes.length;
    w.band.env.clock.advance(6000);
    const flashes = w.band.env.display.history.slice(shown).map((h) => h.lines.join(' / '));
    expect(flashes.filter((l) => l === '').length).toBe(5);
    expect(flashes.at(-1)).toBe('Find me / Owner is looking');
    expect(w.band.env.haptics.buzzes.length - buzzes).toBe(5);
    const band = await found();
    expect(band.ringRequestedAt).toBeNull();
    expect(band.rangAt).toBeGreaterThanOrEqual(span[0]);
    expect(band.rangAt).toBeLessThanOrEqual(span[1]);
    // Rung once: the next till's charge is refused as any off-wrist band's, with the password fallback.
    const after = await charge(w.terminal, await w.session(), { amount: 2_00, currency: 'CNY', orderId: unique('o-') });
    expect(after).toMatchObject({ ok: false, outcome: 'password-needed', reason: { name: 'NOT_WORN' } });
  });

  it('--ring then the owner unlocks it: it is with its owner, so the request is withdrawn, not rung', async () => {
    const rangAt = (await found()).rangAt;
    expect((await find(['--ring'])).code).toBe(0);
    w.band.putOn();
    must(await unlockBand(new CheckoutClient(w.h.server.url), await w.session(), w.username, PASSWORD));
    expect(await found()).toMatchObject({ ringRequestedAt: null, rangAt });
    const withdrawn = await find(['--ring', '--json']);
    expect(withdrawn.code).toBe(0);
    expect((await find(['--cancel-ring', '--json'])).json()).toMatchObject({ band: { ringRequestedAt: null } });
    w.band.takeOff();
  });

  it('revoked: still found by its owner; the wipe at the next till is its last contact', async () => {
    const before = (await found()).lastSeen;
    must(await revoke(w.owner, deviceId));
    expect(await found()).toMatchObject({ status: 'revoked', lastSeen: before });
    w.h.clock.advance(SEEN_STEP_MS);
    const span = await during(async () => {
      const r = await charge(w.terminal, await w.session(), { amount: 1_00, currency: 'CNY', orderId: unique('o-') });
      expect(r).toMatchObject({ ok: false, refusal: { name: 'REVOKED', wipe: { delivered: true } } });
    });
    const band = await found();
    expect(band.status).toBe('wiped');
    expectAt(band.lastSeen, span);
    expect((await find([])).stdout).toMatch(/^band [0-9a-f]{32} "blue band": wiped\n {2}last seen at Tea House's/);
    // A turned-off band is wiped, not rung.
    const ring = await find(['--ring', '--json']);
    expect(ring.code).toBe(1);
    expect(ring.json()).toMatchObject({ ok: false, error: { name: 'REVOKED' } });
  });
});

describe('bad input', () => {
  it('not a device id: exit 2 before any password is read', async () => {
    const r = await find(['--band', 'my-band', '--json'], { stdin: '' });
    expect(r.code).toBe(2);
    expect(r.json()).toMatchObject({
      ok: false,
      error: { name: 'MALFORMED', message: '--band: not a device id: my-band' },
    });
  });

  it('--ring with --cancel-ring: exit 2', async () => {
    const r = await find(['--ring', '--cancel-ring', '--json'], { stdin: '' });
    expect(r.code).toBe(2);
    expect(r.json()).toMatchObject({ ok: false, error: { name: 'MALFORMED' } });
  });

  it('an unknown band: exit 1, NOT_FOUND', async () => {
    const r = await find(['--band', '00'.repeat(16), '--json']);
    expect(r.code).toBe(1);
    expect(r.json()).toMatchObject({ ok: false, error: { name: 'NOT_FOUND', stage: 'checkout' } });
  });

  it("another owner's band: exit 1, FORBIDDEN, and nothing of it printed", async () => {
    const other = await ownerAccount(w.h);
    const r = await find(['--band', deviceId, '--json'], { user: other.username });
    expect(r.code).toBe(1);
    expect(r.json()).toMatchObject({ ok: false, error: { name: 'FORBIDDEN' } });
    expect(r.stdout).not.toContain('Tea House');
    const none = await find(['--json'], { user: other.username });
    expect(none.code).toBe(2);
    expect(none.json()).toMatchObject({ ok: false, error: { name: 'NOT_FOUND', stage: 'input' } });
  });

  it('a wrong password: exit 1, UNAUTHORIZED; no checkout: exit 3', async () => {
    const wrong = await find(['--json'], { stdin: 'not the password\n' });
    expect(wrong.code).toBe(1);
    expect(wrong.json()).toMatchObject({ ok: false, error: { name: 'UNAUTHORIZED' } });
    const down = await find(['--json'], { checkout: 'http://127.0.0.1:9' });
    expect(down.code).toBe(3);
    expect(down.json()).toMatchObject({ ok: false, error: { name: 'UNREACHABLE' } });
  });
});
