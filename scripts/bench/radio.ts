/**
 * PING round trips over the websocket radio and over HCI (scripts/radio-rtt.ts) under each
 * link model. noble and bleno are process singletons and radio-rtt.ts puts the virtual HCI
 * socket in their way, so each model runs in a child process of its own.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { LINK_MODELS } from '../../sim/band/link-model.ts';
import type { RadioRoundTrips } from '../radio-rtt.ts';

export type { RadioRoundTrips };

const SCRIPT = fileURLToPath(new URL('../radio-rtt.ts', import.meta.url));

export async function benchRadioRoundTrips(opts: { ciMs: number; samples: number }): Promise<RadioRoundTrips[]> {
  const out: RadioRoundTrips[] = [];
  for (const model of LINK_MODELS) {
    const args = ['--import', 'tsx', SCRIPT, '--ci', String(opts.ciMs), '--samples', String(opts.samples)];
    const { stdout } = await promisify(execFile)(process.execPath, [...args, '--model', model], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      timeout: 120_000,
    });
    out.push(JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as RadioRoundTrips);
  }
  return out;
}
