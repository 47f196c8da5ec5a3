/**
 * Message-level attacks of a hostile relay, per message of a payment: drop it, deliver it
 * twice, deliver two payments' messages in the wrong order, replay one from an earlier
 * trade, swap it with the other band's, or hold it past the challenge's expiry (both
 * clocks moved). Every case ends with the relay's honest retry (`settle`), so the audit
 * after it also shows that a retried trade is charged exactly once.
 */
import { answerAttacks, resultAttacks } from './attacks-answer-result.ts';
import type { Campaign } from './campaign.ts';
import { LATE_MS, answerOf, must, settleAll } from './relay-world.ts';

async function helloAttacks(c: Campaign): Promise<void> {
  const w = c.w;
  const { a: A, b: B } = w;
  await c.run('HELLO', 'drop', 'never posted; the relay retries with a fresh hello', async () => {
    const t = await w.newTrade(A);
    await w.hello(A);
    return settleAll(w, t);
  });
  for (const together of [false, true]) {
    await c.run(
      'HELLO',
      'duplicate',
      `posted twice: two challenges, both signed, answers posted ${together ? 'at once' : 'in turn'}`,
      async () => {
        const t = await w.newTrade(A);
        const h = await w.hello(A);
        const c1 = await must(w, t, h);
        const c2 = await must(w, t, h);
        const a1 = await answerOf(A, c1.message);
        const a2 = await answerOf(A, c2.message);
        const posted = together
          ? await Promise.all([w.post(c1.challengeId, a1), w.post(c2.challengeId, a2)])
          : [await w.post(c1.challengeId, a1), await w.post(c2.challengeId, a2)];
        if (posted.filter((p) => p.ok).length > 1) return 'accepted';
        await settleAll(w, t);
        return 'absorbed';
      },
    );
  }
  await c.run('HELLO', 'reorder', "two trades, each paid with the other's hello", async () => {
    const t1 = await w.newTrade(A);
    const t2 = await w.newTrade(A);
    const h1 = await w.hello(A);
    const h2 = await w.hello(A);
    await w.complete(A, await must(w, t1, h2));
    await w.complete(A, await must(w, t2, h1));
    return settleAll(w, t1, t2);
  });
  await c.run('HELLO', 'replay', 'a hello from an earlier, paid trade posted for a new one', async () => {
    const t0 = await w.newTrade(A);
    const h0 = await w.hello(A);
    await w.complete(A, await must(w, t0, h0));
    const t = await w.newTrade(A);
    const ch = await w.challenge(t, h0);
    if (ch) await w.complete(A, ch);
    return settleAll(w, t0, t);
  });
  if (A.ep.virtualClock) {
    await c.run(
      'HELLO',
      'replay',
      'a hello from while unlocked, replayed after the band came off and went back on (locked)',
      async () => {
        const h0 = await w.hello(A);
        await A.ep.takeOff();
        await A.ep.putOn();
        const t = await w.newTrade(A);
        const ch = await w.challenge(t, h0);
        if (ch) await w.complete(A, ch);
        const paidLocked = await w.paid(t);
        await w.unlock(A);
        await w.settle(t);
        return paidLocked ? 'accepted' : 'refused';
      },
    );
  }
  await c.run('HELLO', 'swap bands', "band B's hello posted for band A's trade; the challenge goes to A", async () => {
    const t = await w.newTrade(A);
    const ch = await w.challenge(t, await w.hello(B));
    if (ch) await w.complete(A, ch);
    return settleAll(w, t);
  });
  await c.run('HELLO', 'delay past expiry', 'held 61 s before posting (a hello carries no time)', async () => {
    const t = await w.newTrade(A);
    const h = await w.hello(A);
    w.advance(LATE_MS);
    const ch = await w.challenge(t, h);
    if (ch) await w.complete(A, ch);
    return settleAll(w, t);
  });
}

async function challengeAttacks(c: Campaign): Promise<void> {
  const w = c.w;
  const { a: A, b: B } = w;
  await c.run('CHALLENGE', 'drop', 'never delivered; retried; then delivered late and answered', async () => {
    const t = await w.newTrade(A);
    const dropped = await must(w, t, await w.hello(A));
    await w.settle(t);
    return (await w.complete(A, dropped)) ? 'accepted' : 'refused';
  });
  for (const dupFirst of [false, true]) {
    await c.run(
      'CHALLENGE',
      'duplicate',
      `delivered twice; ${dupFirst ? 'the second reply' : 'the first reply'} posted first`,
      async () => {
        const t = await w.newTrade(A);
        const ch = await must(w, t, await w.hello(A));
        const signed = A.ep.signatures();
        const r1 = await A.ep.request(ch.message);
        const r2 = await A.ep.request(ch.message);
        const replies = [r1, r2].filter((r) => r.kind === 'message').map((r) => (r as { bytes: Uint8Array }).bytes);
        if (dupFirst) replies.reverse();
        for (const r of replies) await w.post(ch.challengeId, r);
        const twice = A.ep.signatures() - signed > 1;
        await settleAll(w, t);
        return twice ? 'absorbed' : 'refused';
      },
    );
  }
  await c.run(
    'CHALLENGE',
    'reorder',
    "two trades' challenges delivered in reverse; answers posted in trade order",
    async () => {
      const t1 = await w.newTrade(A);
      const t2 = await w.newTrade(A);
      const c1 = await must(w, t1, await w.hello(A));
      const c2 = await must(w, t2, await w.hello(A));
      const a2 = await answerOf(A, c2.message);
      const a1 = await answerOf(A, c1.message);
      await w.post(c1.challengeId, a1);
      await w.post(c2.challengeId, a2);
      return settleAll(w, t1, t2);
    },
  );
  await c.run(
    'CHALLENGE',
    'replay',
    "an earlier trade's challenge (remembered by the band) instead of the live one",
    async () => {
      const t0 = await w.newTrade(A);
      const c0 = await must(w, t0, await w.hello(A));
      await w.complete(A, c0);
      const t = await w.newTrade(A);
      const ch = await must(w, t, await w.hello(A));
      const reply = await A.ep.request(c0.message);
      if (reply.kind === 'message') {
        await w.post(ch.challengeId, reply.bytes);
        await w.post(c0.challengeId, reply.bytes);
      }
      return settleAll(w, t);
    },
  );
  await c.run(
    'CHALLENGE',
    'replay',
    "an earlier trade's challenge after the band rebooted (replay memory gone)",
    async () => {
      const t0 = await w.newTrade(A);
      const c0 = await must(w, t0, await w.hello(A));
      await w.complete(A, c0);
      await A.ep.reboot();
      await w.unlock(A);
      return (await w.complete(A, c0)) ? 'accepted' : 'refused';
    },
  );
  await c.run('CHALLENGE', 'replay', 'a superseded challenge of a trade paid with a later one', async () => {
    const t = await w.newTrade(A);
    const old = await must(w, t, await w.hello(A));
    await w.complete(A, await must(w, t, await w.hello(A)));
    return (await w.complete(A, old)) ? 'accepted' : 'refused';
  });
  for (const [from, to] of [
    [B, A],
    [A, B],
  ] as const) {
    await c.run('CHALLENGE', 'swap bands', `band ${from.label}'s challenge delivered to band ${to.label}`, async () => {
      const t = await w.newTrade(from);
      const ch = await must(w, t, await w.hello(from));
      const reply = await to.ep.request(ch.message);
      if (reply.kind === 'message') await w.post(ch.challengeId, reply.bytes);
      return settleAll(w, t);
    });
  }
  await c.run('CHALLENGE', 'delay past expiry', 'held 61 s (both clocks) before delivery', async () => {
    const t = await w.newTrade(A);
    const ch = await must(w, t, await w.hello(A));
    w.advance(LATE_MS);
    await w.complete(A, ch);
    return settleAll(w, t);
  });
  if (A.ep.virtualClock) {
    await c.run(
      'CHALLENGE',
      'delay past expiry',
      "the band's clock alone past the expiry (its sealed EXPIRED posted)",
      async () => {
        const t = await w.newTrade(A);
        const ch = await must(w, t, await w.hello(A));
        A.ep.advance(LATE_MS);
        A.ep.syncWall(w.h.clock.now() + LATE_MS);
        await w.complete(A, ch);
        w.sync();
        return settleAll(w, t);
      },
    );
  }
}

export async function runAttacks(c: Campaign): Promise<void> {
  await helloAttacks(c);
  await challengeAttacks(c);
  await answerAttacks(c);
  await resultAttacks(c);
}
