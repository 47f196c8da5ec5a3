/**
 * Round trips over a connected BandLink, whatever carries it: a PING frame written to the
 * control point (with response) and the band's PING echo notified back (firmware/core/link.ts),
 * one fragment each way. The same measure over the websocket radio and over HCI says what the
 * real host stacks and the controllers add on top of the link model's connection events.
 */
import type { BandLink } from '../../bridge/transport/types.ts';
import { FrameCommand } from '../../shared/framing/commands.ts';
import { fragmentMessage } from '../../shared/framing/fragment.ts';

export interface RoundTrips {
  samples: number;
  medianMs: number;
  p95Ms: number;
}

export async function pingRoundTrips(link: BandLink, samples: number, payloadBytes = 16): Promise<RoundTrips> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const payload = new Uint8Array(payloadBytes).fill(i & 0xff);
    const [fragment] = fragmentMessage(FrameCommand.PING, payload, link.mtu);
    const echoed = new Promise<void>((resolve) => {
      const off = link.onNotify((f) => {
        if (f[0] !== FrameCommand.PING || f[f.length - 1] !== (i & 0xff)) return;
        off();
        resolve();
      });
    });
    const t0 = performance.now();
    await link.write(fragment);
    await echoed;
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const at = (q: number): number => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  return { samples, medianMs: at(0.5), p95Ms: at(0.95) };
}
