/**
 * The hostile relay's message-level attacks on the band's ANSWER (posted to the checkout)
 * and the checkout's RESULT (written to the band); attacks.ts has HELLO and CHALLENGE and
 * says what each attack is.
 */
import type { Campaign } from './campaign.ts';
import type { Verdict } from './verdict.ts';
import { resultVerdict } from './mutations.ts';
import { LATE_MS, answerOf, must, settleAll, type RelayBand } from './relay-world.ts';

export async function answerAttacks(c: Campaign): Promise<void> {
  const w = c.w;
  const { a: A, b: B } = w;
  const signed = async (band: RelayBand) => {
    const t = await w.newTrade(band);
    const ch = await must(w, t, await w.hello(band));
    return { t, ch, answer: await answerOf(band, ch.message) };
  };
  await c.run('ANSWER', 'drop', 'never posted; retried; then posted late', async () => {
    const { t, ch, answer } = await signed(A);
    await w.settle(t);
    return (await w.post(ch.challengeId, answer)).ok ? 'accepted' : 'refused';
  });
  for (const together of [false, true]) {
    await c.run('ANSWER', 'duplicate', `posted twice ${together ? 'at once' : 'in turn'}`, async () => {
      const { t, ch, answer } = await signed(A);
      const posted = together
        ? await Promise.all([w.post(ch.challengeId, answer), w.post(ch.challengeId, answer)])
        : [await w.post(ch.challengeId, answer), await w.post(ch.challengeId, answer)];
      const ok = posted.filter((p) => p.ok).length;
      await settleAll(w, t);
      return ok > 1 ? 'accepted' : 'refused';
    });
  }
  await c.run('ANSWER', 'reorder', "two trades' answers posted in reverse (counters out of order)", async () => {
    const p1 = await signed(A);
    const p2 = await signed(A);
    await w.post(p2.ch.challengeId, p2.answer);
    await w.post(p1.ch.challengeId, p1.answer);
    return settleAll(w, p1.t, p2.t);
  });
  const old = await signed(A);
  await w.post(old.ch.challengeId, old.answer);
  for (const own of [false, true]) {
    await c.run(
      'ANSWER',
      'replay',
      `an earlier trade's answer posted to ${own ? 'its own (answered) challenge' : 'the live challenge'}`,
      async () => {
        const { t, ch, answer } = await signed(A);
        const replayed = await w.post(own ? old.ch.challengeId : ch.challengeId, old.answer);
        await w.post(ch.challengeId, answer);
        await settleAll(w, t);
        return replayed.ok ? 'accepted' : 'refused';
      },
    );
  }
  for (const first of [A, B]) {
    await c.run(
      'ANSWER',
      'swap bands',
      `band ${first.label}'s answer posted to the other band's challenge`,
      async () => {
        const pa = await signed(A);
        const pb = await signed(B);
        const swapped =
          first === A ? await w.post(pb.ch.challengeId, pa.answer) : await w.post(pa.ch.challengeId, pb.answer);
        await w.post(pa.ch.challengeId, pa.answer);
        await w.post(pb.ch.challengeId, pb.answer);
        await settleAll(w, pa.t, pb.t);
        return swapped.ok ? 'accepted' : 'refused';
      },
    );
  }
  await c.run('ANSWER', 'delay past expiry', 'held 61 s before posting', async () => {
    const { t, ch, answer } = await signed(A);
    w.advance(LATE_MS);
    const late = await w.post(ch.challengeId, answer);
    await settleAll(w, t);
    return late.ok ? 'accepted' : 'refused';
  });
}

export async function resultAttacks(c: Campaign): Promise<void> {
  const w = c.w;
  const { a: A, b: B } = w;
  const held = async (band: RelayBand) => (await w.payHonestly(await w.newTrade(band))).result;
  const show = async (band: RelayBand, r: Uint8Array): Promise<Verdict> => {
    const before = band.ep.display().join('|');
    return resultVerdict(band.ep, await band.ep.deliver(r), before);
  };
  await c.run('RESULT', 'drop', 'never delivered (the trade stays paid; the band shows "Sent")', async () => {
    await held(A);
    return 'refused';
  });
  await c.run('RESULT', 'duplicate', 'delivered twice', async () => {
    const r = await held(A);
    await show(A, r);
    return show(A, r);
  });
  await c.run('RESULT', 'reorder', "two payments' results delivered in reverse", async () => {
    const r1 = await held(A);
    const r2 = await held(A);
    await show(A, r2);
    return show(A, r1);
  });
  const earlier = await held(A);
  await show(A, earlier);
  await c.run('RESULT', 'replay', "an earlier payment's result instead of the live one", async () => {
    const r = await held(A);
    const verdict = await show(A, earlier);
    await show(A, r);
    return verdict;
  });
  for (const [from, to] of [
    [B, A],
    [A, B],
  ] as const) {
    await c.run('RESULT', 'swap bands', `band ${from.label}'s result delivered to band ${to.label}`, async () => {
      const rf = await held(from);
      const rt = await held(to);
      const verdict = await show(to, rf);
      await show(from, rf);
      await show(to, rt);
      return verdict;
    });
  }
  await c.run(
    'RESULT',
    'delay past expiry',
    'delivered after 61 s (a result carries no expiry: the true outcome, late)',
    async () => {
      const r = await held(A);
      w.advance(LATE_MS);
      return show(A, r);
    },
  );
}
