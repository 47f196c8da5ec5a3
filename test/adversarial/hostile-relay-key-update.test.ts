/**
 * The hostile relay on a checkout key rotation (harness/adversarial/key-update-relay.ts):
 * the real checkout rotates, the real firmware (in-process, fixed seeds) gets its KEY UPDATE
 * through a relay that flips every byte, truncates, swaps bands, delays and replays, and
 * mutates the band's answer. Every case is refused with the band's flash untouched; the honest
 * update then moves both bands, the old key is retired, and every trade is charged once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcessRelayWorld } from '../../harness/adversarial/hostile-relay.ts';
import { type KeyUpdateReport, attackKeyUpdate } from '../../harness/adversarial/key-update-relay.ts';
import type { RelayWorld } from '../../harness/adversarial/relay-world.ts';

let w: RelayWorld;
let r: KeyUpdateReport;

beforeAll(async () => {
  w = await inProcessRelayWorld();
  r = await attackKeyUpdate(w);
}, 120_000);

afterAll(async () => {
  await w?.close();
});

describe('a hostile relay on a checkout key update (in-process firmware, real checkout)', () => {
  it('refuses every case, with flash untouched, and nothing else went wrong', () => {
    expect(r.problems).toEqual([]);
    expect(r.refused).toBe(r.tried);
    // Every byte of a KEY UPDATE (> 150 bytes) twice, truncations, and the same for its ANSWER.
    expect(r.tried).toBeGreaterThan(2 * 150 + 2 * 80);
  });

  it('refuses for the reason the layer owns', () => {
    const expected = [
      'MALFORMED',
      'DECRYPT_FAILED',
      'INVALID_KEY',
      'UNSUPPORTED_VERSION',
      'UNKNOWN_COMMAND',
      'OVERSIZE',
      'EXPIRED',
      'BAD_SIGNATURE',
      'REPLAYED',
    ];
    for (const why of Object.keys(r.reasons)) expect(expected, `refused as ${why}`).toContain(why);
    expect(r.reasons.EXPIRED).toBeGreaterThan(0);
  });

  it('ends with every trade the relay opened charged exactly once, for its amount, to its band', async () => {
    expect(await w.audit.unpaid()).toEqual([]);
    expect(await w.audit.problems()).toEqual([]);
  });
});
