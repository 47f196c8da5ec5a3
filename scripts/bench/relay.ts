/**
 * The hostile relay (test/adversarial) as a bench section: the whole campaign against the
 * in-process firmware (every byte position), and — outside --quick — the same campaign on
 * a sample of byte positions against two simulated bands behind the bridge's relay session.
 * Writes its table into docs/ADVERSARIAL.md too.
 */
import type { CampaignResult } from '../../harness/adversarial/campaign.ts';
import { inProcessRelayWorld, runCampaign } from '../../harness/adversarial/hostile-relay.ts';
import { simRelayWorld } from '../../harness/adversarial/sim-relay-world.ts';

export interface RelayBench {
  inProcess: CampaignResult;
  sim?: CampaignResult;
}

export const SIM_FLIP_STRIDE = 8;

export async function benchRelay(opts: { quick: boolean; log?: (s: string) => void }): Promise<RelayBench> {
  const w = await inProcessRelayWorld();
  let inProcess: CampaignResult;
  try {
    inProcess = await runCampaign(w, { label: 'in-process firmware' });
  } finally {
    await w.close();
  }
  if (opts.quick) return { inProcess };
  opts.log?.('  the same relay in front of simulated bands');
  const ws = await simRelayWorld();
  try {
    return { inProcess, sim: await runCampaign(ws, { flipStride: SIM_FLIP_STRIDE, label: 'simulated (QuickJS)' }) };
  } finally {
    await ws.close();
  }
}
