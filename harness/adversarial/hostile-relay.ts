/**
 * Runs the hostile relay's whole campaign (mutations.ts, then attacks.ts) on a world and
 * returns the table. `inProcessRelayWorld` puts the real firmware in-process behind the
 * relay (fixed seeds); `simRelayWorld` (sim-relay-world.ts) puts two simulated bands behind
 * the bridge's relay session. Used by test/adversarial/*.test.ts and `npm run bench`.
 */
import { runAttacks } from './attacks.ts';
import { InProcessEndpoint } from './band-endpoint.ts';
import { Campaign, type CampaignOptions, type CampaignResult } from './campaign.ts';
import { runMutations } from './mutations.ts';
import { startRelayWorld, type RelayWorld } from './relay-world.ts';

export const BAND_SEEDS = { A: 0xa11ce, B: 0xb0b } as const;

export function inProcessRelayWorld(): Promise<RelayWorld> {
  return startRelayWorld(async (h) => [
    new InProcessEndpoint('A', BAND_SEEDS.A, h.clock.now()),
    new InProcessEndpoint('B', BAND_SEEDS.B, h.clock.now()),
  ]);
}

export async function runCampaign(w: RelayWorld, opts: CampaignOptions = {}): Promise<CampaignResult> {
  const started = performance.now();
  const c = new Campaign(w, opts);
  await runMutations(c);
  await runAttacks(c);
  return c.result(started);
}
