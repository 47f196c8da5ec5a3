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

const PAYMENTS_HEAD = '## Checkout payments (one core)';
const PROFILE_HEAD = "### Where a payment's time goes";

/**
 * The profile's account (written from scripts/bench/profile-checkout.ts runs, not by the bench),
 * kept verbatim from the previous file: from its heading to the next heading of any level 2.
 */
function keptProfile(previous: string): string {
  const at = previous.indexOf(PROFILE_HEAD);
  if (at < 0)
    return `${PROFILE_HEAD}\n\nNot profiled yet: \`node --import tsx scripts/bench/profile-checkout.ts answer|payment\`.\n`;
  const next = previous.indexOf('\n## ', at);
  return `${previous.slice(at, next < 0 ? undefined : next).trimEnd()}\n`;
}

/**
 * The "Checkout payments" section, with the previous file's profile account; `command` names
 * the run when it was measured alone (`--only checkout`).
 */
export function renderCheckoutPayments(
  c: Record<string, number>,
  loadAverage: number,
  previous: string,
  command?: string,
): string {
  const produced = command ? `Produced by \`${command}\` (this section alone).\n\n` : '';
  return `${PAYMENTS_HEAD}

${produced}Payments verified and committed per second through \`Checkout.answer\` (what \`POST /v1/challenges/:id/answer\`
calls): HPKE open of the sealed answer, token verify with every claim and the counter, the payment transaction
on a real SQLite file (WAL, \`synchronous = FULL\`, temp dir), the sealed RESULT. Trades, challenges and the
bands' answers are made first and not timed. \`paymentsPerSecond\` drives ${n(c.lanes)} tills at once in one process
(each answering its own band's payments in order), so what reaches the store in the same event-loop turn shares
a commit (group commit, each payment still atomic and acknowledged only after the commit);
\`sequentialPaymentsPerSecond\` is one till alone, one answer at a time. \`wholePaymentsPerSecond\` is whole
payments at the checkout, ${n(c.lanes)} tills at once: the trade created, the band's hello opened and its challenge
issued, the band's answer verified and committed (the band double's own time, on the same thread, taken out).
Each floor is node:crypto alone at this run's message sizes doing exactly the crypto of what it is set beside
(scripts/bench/checkout-floor.ts); payments and floors alternate slice by slice (each after an untimed
warm-up), best slice of each. Load average at the start: ${loadAverage} (figures from a busy machine are low).

${rows([
  [`checkout.paymentsPerSecond (answers, ${n(c.lanes)} tills at once)`, c.paymentsPerSecond],
  ['checkout.sequentialPaymentsPerSecond (answers, one till, one at a time)', c.sequentialPaymentsPerSecond],
  [
    "checkout.answerCryptoFloorPerSecond (AEAD open + seal, ECDSA verify: the answer path's own crypto)",
    c.answerCryptoFloorPerSecond,
  ],
  ['checkout.answerFloorRatio (target ≥ 0.6)', c.answerFloorRatio],
  ['checkout.sequentialAnswerFloorRatio', c.sequentialAnswerFloorRatio],
  [
    `checkout.wholePaymentsPerSecond (trade + challenge + answer, ${n(c.lanes)} tills at once)`,
    c.wholePaymentsPerSecond,
  ],
  [
    'checkout.paymentCryptoFloorPerSecond (hello ECDH + open, challenge ECDSA sign + ephemeral key + ECDH + seal, answer open + ECDSA verify, RESULT seal)',
    c.paymentCryptoFloorPerSecond,
  ],
  ['checkout.paymentFloorRatio (target ≥ 0.6)', c.paymentFloorRatio],
  ['checkout.answerCpuMsPerPayment (process CPU per answer, 4 tills at once)', c.answerCpuMsPerPayment],
  ['checkout.answerCpuFloorRatio (answer floor time / CPU per answer: without the fsync waits)', c.answerCpuFloorRatio],
  ['checkout.wholeCpuMsPerPayment (process CPU per whole payment, band double taken out)', c.wholeCpuMsPerPayment],
  ['checkout.paymentCpuFloorRatio (payment floor time / CPU per whole payment)', c.paymentCpuFloorRatio],
  [
    'checkout.httpPaymentsPerSecond (answers, 4 terminals over loopback HTTP, client in the same process)',
    c.httpPaymentsPerSecond,
  ],
])}

${keptProfile(previous)}`;
}

/** `previous` with its checkout payments section replaced by `section` (appended when it has none). */
export function spliceCheckoutPayments(previous: string, section: string): string {
  const at = previous.indexOf(PAYMENTS_HEAD);
  if (at < 0) return `${previous.trimEnd()}\n\n${section}`;
  const next = previous.indexOf('\n## ', at + PAYMENTS_HEAD.length);
  return previous.slice(0, at) + section + (next < 0 ? '' : previous.slice(next));
}

export function renderCheckoutSections(r: BenchResults, previous: string): string {
  const v = r.verify;
  return `${renderCheckoutPayments(r.checkout, r.machine.loadAverage, previous)}
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
