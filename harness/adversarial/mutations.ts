/**
 * Byte-level attacks on each message of a payment: every single byte flipped (XOR 0x01 and
 * XOR 0xFF, at every position or every `flipStride`-th), and truncations to several
 * lengths. Each message is attacked in place, in the middle of an otherwise honest
 * payment: a mutated HELLO goes to the checkout for an open trade, a mutated CHALLENGE to
 * the band, a mutated ANSWER to the checkout under the live challenge, a mutated RESULT to
 * the band that is waiting for it. After all mutations of a message the relay delivers the
 * honest bytes, which must still work: nothing the mutations did may burn the trade, the
 * challenge or the band's state.
 */
import { statusName } from '../../shared/status/codes.ts';
import type { Challenge } from '../../checkout/api/client.ts';
import type { BandEndpoint, BandReply } from './band-endpoint.ts';
import type { Attack, Campaign, Msg } from './campaign.ts';
import type { CaseOutcome, Verdict } from './verdict.ts';
import type { Trade } from './relay-world.ts';

export type Mutator = (bytes: Uint8Array) => Array<{ what: string; bytes: Uint8Array }>;

function flips(mask: number, stride: number): Mutator {
  return (bytes) => {
    const out: Array<{ what: string; bytes: Uint8Array }> = [];
    for (let i = 0; i < bytes.length; i += stride) {
      const m = bytes.slice();
      m[i] ^= mask;
      out.push({ what: `byte ${i} ^ 0x${mask.toString(16)}`, bytes: m });
    }
    return out;
  };
}

/** Several lengths: the first few bytes, quarters, and just short of whole (a cut AEAD tag). */
export function truncationLengths(n: number): number[] {
  const ls = [1, 2, 3, 8, n >> 2, n >> 1, (3 * n) >> 2, n - 32, n - 17, n - 16, n - 8, n - 2, n - 1];
  return [...new Set(ls)].filter((l) => l >= 1 && l < n).sort((a, b) => a - b);
}

const truncations: Mutator = (bytes) =>
  truncationLengths(bytes.length).map((l) => ({
    what: `first ${l} of ${bytes.length} bytes`,
    bytes: bytes.slice(0, l),
  }));

export function mutators(stride: number): Array<[Attack, Mutator]> {
  return [
    ['flip 0x01', flips(0x01, stride)],
    ['flip 0xFF', flips(0xff, stride)],
    ['truncate', truncations],
  ];
}

/** A RESULT the band took: the honest one says Approved (every attacked trade is one the checkout paid). */
export function resultVerdict(ep: BandEndpoint, reply: BandReply, before: string): Verdict {
  if (reply.kind === 'error') return 'refused';
  const shown = ep.display();
  if (shown.join('|') === before) return 'refused';
  return shown[0] === 'Approved' ? 'absorbed' : 'accepted';
}

/** The band's refusal, by name. */
export function bandWhy(reply: BandReply): string {
  if (reply.kind === 'error') return statusName(reply.status) ?? `status ${reply.status}`;
  return reply.kind === 'silent' ? 'no reply' : 'sealed answer';
}

function outcome(verdict: Verdict, why: string): CaseOutcome {
  return verdict === 'refused' ? { verdict, why } : verdict;
}

async function helloMutations(c: Campaign, attack: Attack, mutate: Mutator): Promise<void> {
  const w = c.w;
  const A = w.a;
  let t = await w.newTrade(A);
  let refusal = '';
  const hello = await w.hello(A);
  c.sizes.HELLO = hello.length;
  for (const m of mutate(hello)) {
    await c.run('HELLO', attack, m.what, async () => {
      const ch = await w.challenge(t, m.bytes, (why) => (refusal = why));
      if (!ch) return outcome('refused', refusal);
      const paid = await w.complete(A, ch);
      if (!paid) return 'refused';
      t = await w.newTrade(A);
      return 'absorbed';
    });
  }
  await w.settle(t);
}

async function challengeMutations(c: Campaign, attack: Attack, mutate: Mutator): Promise<void> {
  const w = c.w;
  const A = w.a;
  let t = await w.newTrade(A);
  const fresh = async (): Promise<Challenge> => {
    const ch = await w.challenge(t, await w.hello(A));
    if (!ch) throw new Error('relay: no challenge for an honest hello');
    return ch;
  };
  let ch = await fresh();
  c.sizes.CHALLENGE = ch.message.length;
  for (const m of mutate(ch.message)) {
    await c.run('CHALLENGE', attack, m.what, async () => {
      const reply = await A.ep.request(m.bytes);
      if (reply.kind !== 'message') return outcome('refused', bandWhy(reply));
      const posted = await w.post(ch.challengeId, reply.bytes);
      if (posted.result) await A.ep.deliver(posted.result);
      if (posted.ok) t = await w.newTrade(A);
      if (posted.ok || (await w.audit.spent(ch.challengeId))) ch = await fresh();
      return posted.ok ? 'absorbed' : outcome('refused', `sealed, then ${posted.status}`);
    });
  }
  // The challenge the mutations were aimed at is still good.
  if (!(await w.complete(A, ch)))
    c.problems.push(`CHALLENGE × ${attack}: the honest challenge no longer pays after the mutations`);
}

async function answerMutations(c: Campaign, attack: Attack, mutate: Mutator): Promise<void> {
  const w = c.w;
  const A = w.a;
  let t: Trade;
  let ch: Challenge;
  let answer: Uint8Array;
  const fresh = async (newTrade: boolean): Promise<void> => {
    if (newTrade) t = await w.newTrade(A);
    const issued = await w.challenge(t, await w.hello(A));
    if (!issued) throw new Error('relay: no challenge for an honest hello');
    ch = issued;
    const reply = await A.ep.request(ch.message);
    if (reply.kind !== 'message') throw new Error('relay: the band did not answer an honest challenge');
    answer = reply.bytes;
  };
  await fresh(true);
  c.sizes.ANSWER = answer!.length;
  for (const m of mutate(answer!)) {
    await c.run('ANSWER', attack, m.what, async () => {
      const posted = await w.post(ch.challengeId, m.bytes);
      if (posted.result) await A.ep.deliver(posted.result);
      if (posted.ok || (await w.audit.spent(ch.challengeId))) await fresh(posted.ok);
      return posted.ok ? 'absorbed' : outcome('refused', posted.status);
    });
  }
  const posted = await w.post(ch!.challengeId, answer!);
  if (!posted.ok)
    c.problems.push(`ANSWER × ${attack}: the honest answer was refused after the mutations (${posted.status})`);
  else await A.ep.deliver(posted.result);
}

async function resultMutations(c: Campaign, attack: Attack, mutate: Mutator): Promise<void> {
  const w = c.w;
  const A = w.a;
  let result = (await w.payHonestly(await w.newTrade(A))).result;
  c.sizes.RESULT = result.length;
  for (const m of mutate(result)) {
    await c.run('RESULT', attack, m.what, async () => {
      const before = A.ep.display().join('|');
      const reply = await A.ep.deliver(m.bytes);
      const verdict = resultVerdict(A.ep, reply, before);
      if (verdict !== 'refused') result = (await w.payHonestly(await w.newTrade(A))).result;
      return outcome(verdict, bandWhy(reply));
    });
  }
  await A.ep.deliver(result);
  if (A.ep.display()[0] !== 'Approved')
    c.problems.push(
      `RESULT × ${attack}: the honest RESULT is not shown after the mutations (${A.ep.display().join(' / ')})`,
    );
}

const PER_MESSAGE: Record<Msg, (c: Campaign, attack: Attack, mutate: Mutator) => Promise<void>> = {
  HELLO: helloMutations,
  CHALLENGE: challengeMutations,
  ANSWER: answerMutations,
  RESULT: resultMutations,
};

/** One message's mutations, counted under `attack` (tests use it with control mutators too). */
export function mutateMessage(c: Campaign, msg: Msg, attack: Attack, mutate: Mutator): Promise<void> {
  return PER_MESSAGE[msg](c, attack, mutate);
}

export async function runMutations(c: Campaign): Promise<void> {
  for (const [attack, mutate] of mutators(c.flipStride)) {
    for (const msg of ['HELLO', 'CHALLENGE', 'ANSWER', 'RESULT'] as const) await mutateMessage(c, msg, attack, mutate);
  }
}
