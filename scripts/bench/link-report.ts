/**
 * The two link models side by side in BENCHMARKS.md (latency-report.ts places them), the
 * radio round trips over the websocket radio and over HCI, and the splice that lets
 * `npm run bench -- --only link` replace just the sections latency.ts measures.
 */
import type { LatencyResults } from './latency.ts';

const fmt = (n: number) => n.toLocaleString('en-US');
const ms = (x: number) => Math.round(x * 10) / 10;

/** GATT bytes, fragments, events, and (spec) LL PDUs and octets of one payment at ci 15 ms, MTU 185. */
export function modelsTable(r: LatencyResults): string {
  const single = r.cells.find((c) => c.model === 'single' && c.ciMs === 15 && c.mtu === 185);
  const spec = r.cells.find((c) => c.model === 'spec' && c.ciMs === 15 && c.mtu === 185);
  if (!single || !spec) return '';
  return `Per payment at ci 15 ms, MTU 185, under each link model (\`single\`: one fragment per direction per
connection event, a write acknowledged when it crossed; \`spec\`: LE 2M, 251-octet PDUs, several per event
while More Data is set, the event ending at the interval, and each write's ATT Write Response a PDU of its own
down the link):

| figure | single | spec |
|---|---:|---:|
| air.bytesPerPayment (GATT values) | ${fmt(single.bytesPerPayment)} | ${fmt(spec.bytesPerPayment)} |
| fragments (GATT writes and notifications) | ${single.fragmentsPerPayment} | ${spec.fragmentsPerPayment} |
| air.connectionEvents | ${single.connectionEventsPerPayment} | ${spec.connectionEventsPerPayment} |
| LL data PDUs (Write Responses included) | – | ${spec.pdusPerPayment} |
| LL payload octets (with L2CAP and ATT headers) | – | ${fmt(spec.llOctetsPerPayment)} |

The LL octets are the GATT bytes plus 7 octets of L2CAP and ATT header per write and notification and
5 per Write Response (the conservative model does not carry headers or responses, so it has no such
figure). Every message fits one 251-octet PDU per fragment at this MTU, so the spec model's events are the
conversation's turns, not its bytes.`;
}

export function roundTripsSection(r: LatencyResults): string {
  const rows = r.rtt.map(
    (x) =>
      `| ${x.link.model} | ${ms(x.websocket.medianMs)} / ${ms(x.websocket.p95Ms)} | ${ms(x.hci.medianMs)} / ${ms(x.hci.p95Ms)} |`,
  );
  const first = r.rtt[0];
  return `## Radio round trips (websocket and HCI)

One PING (a 19-byte write with response, the band's echo notified back), ${first?.websocket.samples ?? '–'} samples per cell, ci ${first?.link.ciMs ?? '–'} ms,
MTU ${first?.link.mtu ?? '–'}, no loss (\`scripts/radio-rtt.ts\`, one child process per model: noble and bleno are process
singletons). The websocket radio: the bridge's noble websocket transport to the simulator; HCI: the bridge's
\`--radio hci\` (stock noble's HCI bindings) to the simulator's \`--radio hci\` (bleno), each on a virtual
controller (docs/RADIO.md), both timed by the same link model.

| link model | websocket median / p95 (ms) | HCI median / p95 (ms) |
|---|---:|---:|
${rows.join('\n')}

Under \`single\` the HCI path takes three events to the websocket's two: over HCI the ATT Write Response is a
PDU of its own and goes an event before the notification, where the websocket radio acknowledges the write as
it crosses. Under \`spec\` both paths take two: the write up, then the Write Response and the notification down
in one event (More Data).`;
}

const HEADINGS = [
  '## Latency (trade create → ledger commit)',
  '## Air per payment',
  '## Link table',
  '## Radio round trips (websocket and HCI)',
];

/** `previous` with the latency sections replaced by `sections` (added at the end if it has none). */
export function spliceLatency(previous: string, sections: string): string {
  const at = previous.indexOf(HEADINGS[0]);
  if (at < 0) return `${previous.trimEnd()}\n\n${sections.trim()}\n`;
  let end = previous.length;
  for (let i = previous.indexOf('\n## ', at); i >= 0; i = previous.indexOf('\n## ', i + 1)) {
    const heading = previous.slice(i + 1, previous.indexOf('\n', i + 1));
    if (HEADINGS.includes(heading)) continue;
    end = i + 1;
    break;
  }
  return `${previous.slice(0, at)}${sections.trim()}\n${end < previous.length ? `\n${previous.slice(end)}` : ''}`;
}
