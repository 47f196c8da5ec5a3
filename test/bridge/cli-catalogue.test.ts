/**
 * `wristpay catalogue` and unknown catalogue ids, run as a real process (issue 14, item 8):
 * the 20 banks and 6 cities with their ids and no checkout running; an unknown --issuer or
 * --city refused before any round trip (no checkout given, nothing on stdin) with the ids
 * that exist and the nearest one, exit 2, and the one --json error shape.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issuers, transitCities } from '../../checkout/api/catalogue.ts';
import { wristpay } from './helpers/process.ts';

let dir: string;
// No config, no checkout: whatever answers must come from the command itself.
const env = (): NodeJS.ProcessEnv => ({ XDG_CONFIG_HOME: dir, WRISTPAY_CHECKOUT: '' });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wristpay-catalogue-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('wristpay catalogue (as a process)', () => {
  it('--json lists the 20 banks and 6 cities with their ids', async () => {
    const r = await wristpay(['catalogue', '--json'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    const v = r.json() as { ok: boolean; banks: Array<{ id: string }>; cities: Array<{ id: string }> };
    expect(v.ok).toBe(true);
    expect(v.banks.map((b) => b.id)).toEqual(issuers.map((i) => i.id));
    expect(v.banks).toHaveLength(20);
    expect(v.cities.map((c) => c.id)).toEqual(transitCities.map((c) => c.id));
    expect(v.cities).toHaveLength(6);
  });

  it('prints every id and name for people', async () => {
    const r = await wristpay(['catalogue'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    for (const b of issuers)
      expect(r.stdout).toMatch(new RegExp(`^  ${b.id} +${b.name.replace(/[()]/g, '\\$&')} `, 'm'));
    for (const c of transitCities) expect(r.stdout).toMatch(new RegExp(`^  ${c.id} +${c.city} +${c.card}`, 'm'));
    expect(r.stderr).toBe('');
  });
});

describe('an unknown issuer or city (as a process)', () => {
  const add = (...flags: string[]): string[] => ['bridge', 'card', 'add', '--user', 'wearer', ...flags];

  it('--issuer icbcc: exit 2, the known ids and "did you mean --issuer icbc"', async () => {
    const r = await wristpay(add('--issuer', 'icbcc'), { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown issuer "icbcc"');
    for (const b of issuers) expect(r.stderr).toContain(b.id);
    expect(r.stderr).toContain('did you mean --issuer icbc?');
    expect(r.stdout).toBe('');
  });

  it('--city shangai --json: the one error shape with the hint, exit 2', async () => {
    const r = await wristpay([...add('--city', 'shangai'), '--json'], { env: env() });
    expect(r.code).toBe(2);
    const v = r.json() as { ok: boolean; error: { status: number; name: string; message: string; hint: string } };
    expect(v).toEqual({
      ok: false,
      error: {
        status: 1,
        name: 'MALFORMED',
        message: expect.stringContaining('unknown city "shangai"'),
        hint: expect.stringContaining('did you mean --city shanghai?'),
      },
    });
    for (const c of transitCities) expect(v.error.message).toContain(c.id);
  });

  it('an id too far from any: the ids, no guess', async () => {
    const r = await wristpay(add('--city', 'paris'), { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('known cities: shanghai, beijing');
    expect(r.stderr).not.toContain('did you mean');
  });

  it('a prefix names the one id it begins: hsbc → hsbc-hk', async () => {
    const r = await wristpay(add('--issuer', 'hsbc'), { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('did you mean --issuer hsbc-hk?');
  });

  it('a known id goes on to sign in (no checkout here: a usage error about the checkout, not the id)', async () => {
    const r = await wristpay(add('--issuer', 'icbc'), { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain('unknown issuer');
    expect(r.stderr).toContain('which checkout?');
  });
});
