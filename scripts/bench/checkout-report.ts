/**
 * The checkout's sections of BENCHMARKS.md: payments per second against the crypto floor,
 * the verifier beside SimpleWebAuthn, and the hardening figures of the last `--long` run
 * (kept from the previous file when this run did not produce new ones).
 */
import type { BenchResults } from './results.ts';
import type { HardeningResults } from './checkout-hardening.ts';

const HARDENING_HEAD = '## Hardening (checkout)';
const n = (v: unknown) => (typeof v === 'number' ? v.toLocaleString('en-US') : String(v ?? '–'));

function rows(list: Array<[string, unknown]>): string {
  return ['| figure | value |', '|---|---:|', ...list.map(([k, v]) => `| ${k} | ${n(v)} |`)].join('\n');
}

function hardeningSection(h: HardeningResults, date: string): string {
  const fuzz = h.figures['http-fuzz'] ?? {};
  const kill = h.figures['kill-checkout'] ?? {};
  const idem = h.figures.idempotency ?? {};
  const inFlight = (kill.inFlight ?? {}) as Record<string, number>;
  const restarts = (kill.restartMs ?? []) as number[];
  return `${HARDENING_HEAD}

Produced by \`npm run bench -- --long\` on ${date.slice(0, 10)} (\`${h.command}\`); what each test tries is in
[docs/HARDENING.md](docs/HARDENING.md). CI runs the same tests at a tenth of this size.

| test file | tests | passed | seconds |
|---|---:|---|---:|
${h.files.map((f) => `| ${f.file} | ${f.tests} | ${f.passed ? 'yes' : '**NO**'} | ${f.seconds} |`).join('\n')}
${h.files.flatMap((f) => f.failures.map((why) => `\n**Failed** in ${f.file}: ${why}\n`)).join('')}
HTTP fuzz (seed 0x${Number(fuzz.seed).toString(16)}, ${n(fuzz.routes)} routes): ${n(fuzz.cases)} requests, ${n(fuzz.accepted)} accepted, ${n(fuzz.refused)} refused
with a 4xx, ${n(fuzz.closedOnHugeBody)} oversize uploads cut off after their 413, ${n(fuzz.raw)} malformed HTTP messages;
HTTP statuses seen: ${Object.entries((fuzz.byHttpStatus ?? {}) as Record<string, number>)
    .map(([k, v]) => `${k} ×${n(v)}`)
    .join(', ')}.

${rows([
  ['SIGKILL cycles (kill, restart on the same file, reconcile)', kill.cycles],
  ['payments acknowledged before a kill (all found in the ledger)', kill.acknowledged],
  [
    'in flight at a kill: creating / challenging / answering',
    `${n(inFlight.creating)} / ${n(inFlight.challenging)} / ${n(inFlight.answering)}`,
  ],
  [
    'same answer re-posted: paid now / REPLAYED (paid before the kill)',
    `${n(kill.answerRetriedPaid)} / ${n(kill.answerRetriedReplayed)}`,
  ],
  ['paid once with a fresh challenge (second try TRADE_CLOSED)', kill.paidWithFreshChallenge],
  ['payments in the ledger at the end (= trades attempted)', kill.payments],
  [
    'checkout start after a kill, ms (median)',
    restarts.length ? [...restarts].sort((a, b) => a - b)[restarts.length >> 1] : undefined,
  ],
  [
    'same answer ×10 at once, one process / two processes',
    `${JSON.stringify((idem.outcomes as Record<string, unknown> | undefined)?.sameAnswer ?? {})} / ${JSON.stringify((idem.outcomes as Record<string, unknown> | undefined)?.twoProcesses0 ?? {})}`,
  ],
])}
`;
}

/** The previous file's hardening section, verbatim (up to the next "## " heading). */
function keptHardening(previous: string): string {
  const at = previous.indexOf(HARDENING_HEAD);
  if (at < 0) return `${HARDENING_HEAD}\n\nNot measured yet: run \`npm run bench -- --long\`.\n`;
  const next = previous.indexOf('\n## ', at + HARDENING_HEAD.length);
  return previous.slice(at, next < 0 ? undefined : next + 1);
}

export function renderCheckoutSections(r: BenchResults, previous: string): string {
  const c = r.checkout;
  const v = r.verify;
  return `## Checkout payments (one core)

Payments verified and committed per second through \`Checkout.answer\` (what \`POST /v1/challenges/:id/answer\`
calls): HPKE open of the sealed answer, token verify with every claim and the counter, the payment transaction
on a real SQLite file (WAL, temp dir), the sealed RESULT. Trades, challenges and the bands' answers are made
first and not timed. \`paymentsPerSecond\` drives ${n(c.lanes)} tills at once in one process (each answering its own
band's payments in order), so answers that reach the ledger in the same event-loop turn share a commit (group
commit, each payment still atomic and acknowledged only after the commit); \`sequentialPaymentsPerSecond\` is one
till alone, one answer at a time. The floor is node:crypto alone at this run's message sizes; payments and floor
alternate slice by slice (each after an untimed warm-up), best slice of each. Load average at the start:
${r.machine.loadAverage} (figures from a busy machine are low).

${rows([
  [`checkout.paymentsPerSecond (${n(c.lanes)} tills at once)`, c.paymentsPerSecond],
  ['checkout.sequentialPaymentsPerSecond (one till, one answer at a time)', c.sequentialPaymentsPerSecond],
  ['checkout.cryptoFloorPerSecond (ephemeral key + ECDH, AEAD seal + open, ECDSA verify)', c.cryptoFloorPerSecond],
  ['checkout.floorRatio (target ≥ 0.7)', c.floorRatio],
  ['checkout.sequentialFloorRatio', c.sequentialFloorRatio],
  [
    "checkout.answerCryptoFloorPerSecond (AEAD open + seal, ECDSA verify: the timed path's own crypto)",
    c.answerCryptoFloorPerSecond,
  ],
  ['checkout.answerFloorRatio', c.answerFloorRatio],
  [
    'checkout.httpPaymentsPerSecond (4 terminals over loopback HTTP, client in the same process)',
    c.httpPaymentsPerSecond,
  ],
])}

## Durable acknowledgements: synchronous FULL beside NORMAL

The ledger runs SQLite with \`synchronous = FULL\` (issue 11): a commit is fsynced before any payment in it is
acknowledged, so a host power loss cannot undo a payment a terminal was told succeeded. Two checkouts on two
files in the same temp filesystem, one as shipped and one switched to NORMAL, answer prepared payments in
alternating slices (scripts/bench/checkout-durability.ts). With several tills the answers of one event-loop turn
share a commit and so its fsync; one till alone pays one fsync per payment. What an fsync costs depends on the
disk under the temp dir.

${rows([
  ['durability.fullPaymentsPerSecond (4 tills at once, FULL: as shipped)', r.durability.fullPaymentsPerSecond],
  ['durability.normalPaymentsPerSecond (4 tills at once, NORMAL)', r.durability.normalPaymentsPerSecond],
  ['durability.fullCostRatio (FULL / NORMAL)', r.durability.fullCostRatio],
  ['durability.fullSequentialPaymentsPerSecond (one till alone, FULL)', r.durability.fullSequentialPaymentsPerSecond],
  [
    'durability.normalSequentialPaymentsPerSecond (one till alone, NORMAL)',
    r.durability.normalSequentialPaymentsPerSecond,
  ],
  ['durability.fullSequentialCostRatio (FULL / NORMAL)', r.durability.fullSequentialCostRatio],
])}

## Verifiers side by side (ops/s)

${rows([
  ['verify.oursPerSecond (token verifier, node provider)', v.oursPerSecond],
  ['verify.independentPerSecond (cose-js, signature only)', v.independentPerSecond],
  ['verify.ratio (target ≥ 1.5)', `${v.ratio}×`],
  ['verify.simpleWebAuthnPerSecond (verifyAuthenticationResponse, ES256 assertion)', v.simpleWebAuthnPerSecond],
  ['ours beside it (alternating slices)', v.oursBesideSimpleWebAuthnPerSecond],
  ['verify.simpleWebAuthnRatio (target ≥ 1.5)', `${v.simpleWebAuthnRatio}×`],
])}

${r.hardening ? hardeningSection(r.hardening, r.date) : keptHardening(previous)}`;
}
