/** BENCHMARKS.md sections for latency.ts: latency, air per payment, the link table, CTAP2, radio round trips. */
import type { LatencyResults } from './latency.ts';
import { modelsTable, roundTripsSection } from './link-report.ts';

const fmt = (n: number) => n.toLocaleString('en-US');

export function renderLatency(r: LatencyResults): string {
  const l = r.latency;
  const a = r.air;
  const ctap185 = r.ctap.find((c) => c.mtu === 185);
  const cellRows = r.cells.map((c) => {
    const ctap = r.ctap.find((x) => x.mtu === c.mtu);
    return `| ${c.model} | ${c.ciMs} | ${c.mtu} | ${c.payments} | ${c.p50Ms} | ${c.p99Ms} | ${fmt(c.bytesPerPayment)} | ${c.connectionEventsPerPayment} | ${ctap ? `${ctap.airBytes} / ${ctap.connectionEvents}` : ''} |`;
  });
  const msgRows = a.messages.map(
    (m) => `| ${m.name} | ${m.dir === 'up' ? 'bridge → band' : 'band → bridge'} | ${m.bytes} | ${m.onAir} |`,
  );
  const over = a.bytesPerPayment - a.targetBytes;
  const eventsAt = (mtu: number) =>
    r.cells.find((c) => c.mtu === mtu && c.model === 'single')?.connectionEventsPerPayment ?? '—';
  /** The messages that need more than one fragment at `mtu` (docs/PROTOCOL.md §2). */
  const splitAt = (mtu: number) => {
    const split = a.messages
      .map((m) => ({ name: m.name, n: 1 + Math.ceil(Math.max(0, m.bytes - (mtu - 6)) / (mtu - 4)) }))
      .filter((m) => m.n > 1)
      .map((m) => `the ${m.name} ${m.n}`);
    return split.length === 0 ? 'one fragment per message' : `${split.join(', ')} fragments, the others one`;
  };
  return `## Latency (trade create → ledger commit)

Through the bridge's charge flow and a simulated band (QuickJS) over the link model at
connection interval ${l.ciMs} ms, MTU ${l.mtu}, no loss; timed from the trade's creation to the checkout's reply
to the band's ANSWER (the payment is committed before that reply). ${l.payments} payments, one at a time, under each
link model (\`--link model=single\`, one fragment per direction per connection event: the conservative model;
\`--link model=spec\`, the Core spec's Link Layer: docs/SIMULATOR.md, "The link model").

| figure | single | spec |
|---|---:|---:|
| latency.p50Ms | ${l.p50Ms} | ${r.spec.p50Ms} |
| latency.p99Ms | ${l.p99Ms} | ${r.spec.p99Ms} |
| latency.meanMs | ${l.meanMs} | ${r.spec.meanMs} |

## Air per payment

Both directions, from the band's link counters (GATT values: wristpay frame headers included,
ATT's 3-byte headers not), at MTU ${l.mtu}; the RESULT written back after the commit included. This table and
the messages' are the conservative model's; the next one puts the two models side by side.

| figure | value |
|---|---:|
| air.bytesPerPayment | ${fmt(a.bytesPerPayment)} |
| up (bridge → band) / down (band → bridge) | ${fmt(a.upBytes)} / ${fmt(a.downBytes)} |
| fragments | ${a.fragments} |
| air.connectionEvents | ${a.connectionEvents} |

| message | direction | message bytes | on air |
|---|---|---:|---:|
${msgRows.join('\n')}

${modelsTable(r)}

**Target ≤ ${a.targetBytes} bytes: ${over <= 0 ? 'met' : `missed by ${fmt(Math.round(over))} bytes`}.** A FIDO CTAP2 getAssertion carrying the same
64-byte signature (DER in CTAP) takes ${ctap185 ? `${ctap185.airBytes} bytes in ${ctap185.connectionEvents} connection events` : '—'} at MTU 185 (request
${ctap185?.requestBytes ?? '—'} bytes: rpId "wristpay.example", clientDataHash 32, allowList with one 64-byte credential id, options
{up}; response ${ctap185?.responseBytes ?? '—'} bytes: credential, authData 37, signature 71; CTAP BLE framing at the same MTU;
\`scripts/bench/latency-ctap.ts\`). The difference is what CTAP leaves to the client: the payment
terms travel signed by the checkout inside the CHALLENGE (CTAP hashes them into clientDataHash), the
band's identity travels sealed in a HELLO (CTAP names the credential in clear), each direction is
sealed (two 65-byte HPKE encapsulated keys, two 32-byte response nonces, three 16-byte AEAD tags),
the token repeats the terms it signs (merchant, terminal, order, device id), and a RESULT goes back
to the display. Cut to get here from the 845 bytes of the first version (docs/PROTOCOL.md, "Why these
bytes are not on the air"): no key id in the challenge's and the token's COSE headers (−36; the band
pins one checkout key, the checkout knows the band from the challenge), the challenge's expiry and
the token's time in seconds like CWT's NumericDate (−8), a RESULT that carries only its status (−15;
the band words its display), a hello without the firmware version and with the unlock nonce only
while locked (−25), no card reference in a challenge for the default bank card (−22), and 8-character
merchant, terminal and card ids (−40: merchant and terminal travel in both the challenge and the token,
the card in the token). The merchant's order number travels twice too, so each of its characters costs
2 bytes (here "lat-" and a counter)${over <= 0 ? `; the margin is ${fmt(Math.round(-over * 10) / 10)} bytes` : ''}. What is left is fixed by the design
(docs/PROTOCOL.md §3–4): uncompressed 65-byte P-256 points in HELLO and CHALLENGE (compressed ones would save 64),
RFC 9458's 32-byte response nonces in ANSWER and RESULT (16 bytes would save 32), and a token that
carries its full claims list (binding merchant, terminal, order and card through the checkout's nonce
instead would save about 73, and the token would no longer read on its own).

## Link table

Payments per cell as listed (ci 15 / MTU 185 is the latency run above); bytes (GATT values) and
connection events per payment; the last column is CTAP2 getAssertion at that MTU (bytes / connection
events, counted one fragment per event each way as in the conservative model).

| model | ci (ms) | MTU | payments | p50 (ms) | p99 (ms) | bytes | connection events | CTAP2 |
|---|---:|---:|---:|---:|---:|---:|---:|---:|
${cellRows.join('\n')}

Under \`single\` each fragment (one GATT write or notification) waits for a connection event and each event
carries one fragment each way (docs/SIMULATOR.md), so latency ≈ connection events × interval + compute: MTU 23
splits a payment into ${eventsAt(23)} fragments, ${[185, 247].map((mtu) => `MTU ${mtu} into ${eventsAt(mtu)} (${splitAt(mtu)})`).join(', ')}.
Under \`spec\` what is queued when an event starts crosses in it whatever the MTU (More Data, 251-octet PDUs at
LE 2M fit an interval of 7.5 ms several times over), so the events are set by the turns of the conversation: every
write waits for its Write Response, one event later, before the bridge writes the next fragment, and every
message waits for the other side's host. A small MTU now costs turns (one write per fragment), not air.

${roundTripsSection(r)}`;
}
