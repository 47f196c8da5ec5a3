/**
 * `wristpay bridge card default` run as a real process (bin/wristpay.js) against a real
 * checkout: the owner's default card per kind (bank, transit), no radio needed; --json and
 * human output, `card list` marking the defaults; bad input: no card reference (exit 2), an
 * unknown card, a card being removed, another owner's band (exit 1).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cheapTestConfig, type Harness, startHarness } from '../../harness/checkout-harness.ts';
import { type OwnedBand, PASSWORD, addCard, ownerWithBand } from '../checkout/helpers/fixtures.ts';
import { wristpay } from './helpers/process.ts';

let h: Harness;
let dir: string;
let o: OwnedBand;
let cmb: string;
let beijing: string;

beforeAll(async () => {
  h = await startHarness(cheapTestConfig);
  dir = mkdtempSync(join(tmpdir(), 'wristpay-card-default-'));
  o = await ownerWithBand(h); // ICBC: the bank default
  cmb = (await addCard(o, o.band, o.deviceId, { issuerId: 'cmb' })).cardRef;
  await addCard(o, o.band, o.deviceId, { cityId: 'shanghai' }); // the transit default
  beijing = (await addCard(o, o.band, o.deviceId, { cityId: 'beijing' })).cardRef;
});
afterAll(async () => {
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

function card(args: string[], user = o.username) {
  return wristpay(['bridge', 'card', ...args, '--user', user, '--password-stdin', '--checkout', h.server.url], {
    stdin: `${PASSWORD}\n`,
    env: { XDG_CONFIG_HOME: dir, WRISTPAY_CHECKOUT: '' },
  });
}

async function defaults(): Promise<string[][]> {
  const r = await card(['list', '--json']);
  expect(r.code, r.stderr).toBe(0);
  const bands = r.json().bands as Array<{ cards: Array<{ kind: string; cardRef: string; isDefault: boolean }> }>;
  return bands[0].cards
    .filter((c) => c.isDefault)
    .map((c) => [c.kind, c.cardRef])
    .sort();
}

describe('wristpay bridge card default (as a process)', () => {
  it('makes a bank card the default of its kind, --json', async () => {
    const r = await card(['default', cmb, '--json']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.json()).toEqual({
      ok: true,
      card: expect.objectContaining({ cardRef: cmb, kind: 'bank', issuer: 'China Merchants Bank', isDefault: true }),
    });
    expect((await defaults()).find(([kind]) => kind === 'bank')).toEqual(['bank', cmb]);
  });

  it('a transit card, in words; the bank default stays; card list marks both', async () => {
    const r = await card(['default', beijing]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `^Default transit card:\\n {2}${beijing} +transit +Beijing Yikatong ••••\\d{4} {2}active {2}balance 50\\.00 CNY {2}\\(default\\)\\n$`,
      ),
    );
    expect(await defaults()).toEqual([
      ['bank', cmb],
      ['transit', beijing],
    ]);
    const listed = await card(['list']);
    expect(listed.stdout.match(/\(default\)/g)).toHaveLength(2);
  });

  it('bad input: no card reference is a usage error (2); nothing changes', async () => {
    const r = await card(['default']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("missing required argument 'cardRef'");
  });

  it('an unknown card, or one being removed: CARD_NOT_FOUND (1), the default unchanged', async () => {
    const unknown = await card(['default', 'tok_nowhere', '--json']);
    expect(unknown.code).toBe(1);
    expect(unknown.json()).toMatchObject({ ok: false, error: { name: 'CARD_NOT_FOUND' } });
    await o.client.removeCard(o.deviceId, o.cardRef); // issued, the band has not answered yet
    const removing = await card(['default', o.cardRef, '--json']);
    expect(removing.code).toBe(1);
    expect(removing.json()).toMatchObject({ ok: false, error: { name: 'CARD_NOT_FOUND' } });
    expect(await defaults()).toEqual([
      ['bank', cmb],
      ['transit', beijing],
    ]);
  });

  it("another owner cannot touch this band's cards (1)", async () => {
    const other = await ownerWithBand(h);
    const r = await card(['default', cmb, '--band', o.deviceId, '--json'], other.username);
    expect(r.code).toBe(1);
    expect(r.json()).toMatchObject({ ok: false, error: { name: expect.stringMatching(/FORBIDDEN|NOT_FOUND/) } });
    expect((await defaults()).find(([kind]) => kind === 'bank')).toEqual(['bank', cmb]);
  });
});
