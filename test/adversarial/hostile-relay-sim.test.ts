/**
 * The hostile relay's campaign (campaign.ts) on a smaller sample, in front of two simulated
 * bands: the real image in QuickJS (sim/band), reached through the bridge's own stack —
 * noble's websocket bindings and the relay session — with the relay deciding what each
 * session writes. Every 8th byte position is flipped (both masks); every other attack as
 * in-process. The bands run on real time, so delays move the checkout's clock only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATTACKS, MESSAGES, totals, type CampaignResult } from '../../harness/adversarial/campaign.ts';
import { runCampaign } from '../../harness/adversarial/hostile-relay.ts';
import type { RelayWorld } from '../../harness/adversarial/relay-world.ts';
import { simRelayWorld } from '../../harness/adversarial/sim-relay-world.ts';

const STRIDE = 8;
let w: RelayWorld;
let r: CampaignResult;

beforeAll(async () => {
  w = await simRelayWorld();
  r = await runCampaign(w, { flipStride: STRIDE, label: 'simulated (QuickJS)' });
}, 90_000);

afterAll(async () => {
  await w?.close();
});

describe('a hostile relay in front of simulated bands (bridge relay session, noble websocket)', () => {
  it('tries every attack on every message, every 8th byte with both masks', () => {
    for (const m of MESSAGES) {
      for (const a of ATTACKS) expect(r.cells[m][a].tried, `${m} × ${a}`).toBeGreaterThan(0);
      expect(r.cells[m]['flip 0x01'].tried).toBe(Math.ceil(r.sizes[m] / STRIDE));
    }
  });

  it('accepts no case whose outcome differs from the honest one; every mutated byte is refused', () => {
    expect(r.problems).toEqual([]);
    expect(totals(r).accepted).toBe(0);
    for (const m of MESSAGES)
      for (const a of ['flip 0x01', 'flip 0xFF', 'truncate'] as const)
        expect(r.cells[m][a].refused).toBe(r.cells[m][a].tried);
  });

  it('ends with every trade the relay opened charged exactly once', async () => {
    expect(await w.audit.unpaid()).toEqual([]);
    expect(r.ledger.payments).toBe(w.audit.registered);
  });
});
