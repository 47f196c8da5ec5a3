/**
 * The hostile relay on a checkout key rotation (PROTOCOL.md §8): the checkout rotates its
 * keys (key-ring.ts, as `wristpay checkout keys rotate` does, then a restart), band A pays
 * under its old keys and the checkout hands the relay A's KEY UPDATE. The relay then flips
 * every byte of that update (XOR 0x01 and 0xFF, every `stride`-th position) and truncates it,
 * delivers it to the other band, delivers it past its expiry, flips and truncates the band's
 * ANSWER to it on the way to the checkout, and replays it after the band has taken it. No case
 * may move the band to other keys or write its flash (in-process bands: the flash image is
 * compared around every case); the honest update must still work afterwards, and band A must
 * then pay under the new keys with every trade charged exactly once.
 */
import { retireKeys, rotateKeys } from '../../checkout/core/key-ring.ts';
import { openSqliteStore } from '../../checkout/sqlite/store.ts';
import type { Challenge } from '../../checkout/api/client.ts';
import { CheckoutHttpError } from '../../checkout/api/client.ts';
import { statusName } from '../../shared/status/codes.ts';
import { type BandEndpoint, type BandReply, InProcessEndpoint } from './band-endpoint.ts';
import { mutators } from './mutations.ts';
import { LATE_MS, type RelayBand, type RelayWorld, answerOf, message, must } from './relay-world.ts';

export interface KeyUpdateReport {
  /** Cases tried, each refused by the band or the checkout (the honest steps are not cases). */
  tried: number;
  refused: number;
  /** Per refusal status, how many cases it refused. */
  reasons: Record<string, number>;
  /** Anything that let a case through, moved a band, wrote flash or broke the honest path (must be empty). */
  problems: string[];
}

function flashOf(ep: BandEndpoint): Uint8Array | null {
  return ep instanceof InProcessEndpoint ? ep.driver.env.flash.toBytes() : null;
}

function same(a: Uint8Array | null, b: Uint8Array | null): boolean {
  return a === null || b === null || Buffer.compare(a, b) === 0;
}

class Tally {
  readonly r: KeyUpdateReport = { tried: 0, refused: 0, reasons: {}, problems: [] };
  refused(why: string): void {
    this.r.tried++;
    this.r.refused++;
    this.r.reasons[why] = (this.r.reasons[why] ?? 0) + 1;
  }
  problem(what: string): void {
    this.r.tried++;
    this.r.problems.push(what);
  }
}

/** `wristpay checkout keys rotate` on the world's database, then a restart so the checkout loads the ring. */
export async function rotateWorld(w: RelayWorld): Promise<void> {
  const store = openSqliteStore(w.h.dbFile);
  try {
    await rotateKeys(store, w.h.provider, w.h.clock.now());
  } finally {
    await store.close();
  }
  await w.h.restart();
}

/** `wristpay checkout keys retire` (no --force) on the world's database, then a restart. */
export async function retireWorld(w: RelayWorld): Promise<void> {
  const store = openSqliteStore(w.h.dbFile);
  try {
    await retireKeys(store, w.h.provider, w.h.clock.now(), false);
  } finally {
    await store.close();
  }
  await w.h.restart();
}

/** Pays a fresh trade honestly for `band` and returns the key update the checkout sent with the answer. */
async function payForUpdate(w: RelayWorld, band: RelayBand): Promise<Challenge | undefined> {
  const t = await w.newTrade(band);
  const challenge = await must(w, t, await w.hello(band));
  const answered = await w.terminal.answer(challenge.challengeId, await answerOf(band, challenge.message));
  await band.ep.deliver(answered.result);
  return answered.keyUpdate;
}

/** The band's answer to a delivered update, as a refusal reason; null when the band took it (a problem). */
async function bandRefusal(w: RelayWorld, update: Challenge, reply: BandReply): Promise<string | null> {
  if (reply.kind === 'error') return statusName(reply.status) ?? String(reply.status);
  if (reply.kind === 'silent') return 'silent';
  // A sealed answer: the checkout opens it and must refuse (the band reported why).
  try {
    await w.terminal.answer(update.challengeId, reply.bytes);
    return null;
  } catch (e) {
    if (e instanceof CheckoutHttpError) return e.statusName;
    throw e;
  }
}

export async function attackKeyUpdate(w: RelayWorld, stride = 1): Promise<KeyUpdateReport> {
  const k = new Tally();
  const a = w.a;
  await rotateWorld(w);
  let update = await payForUpdate(w, a);
  if (!update) throw new Error('relay: no key update for a band on the previous keys');

  // The update mutated on its way to band A, and delivered to band B.
  const cases: Array<{ what: string; bytes: Uint8Array; band: RelayBand }> = [];
  for (const [attack, mutate] of mutators(stride))
    for (const m of mutate(update.message)) cases.push({ what: `${attack}: ${m.what}`, bytes: m.bytes, band: a });
  cases.push({ what: 'swap bands: A’s update to B', bytes: update.message, band: w.b });
  for (const c of cases) {
    const before = flashOf(c.band.ep);
    const why = await bandRefusal(w, update, await c.band.ep.request(c.bytes));
    if (!same(before, flashOf(c.band.ep))) k.problem(`KEY UPDATE ${c.what}: the band wrote its flash`);
    else if (why === null) k.problem(`KEY UPDATE ${c.what}: accepted`);
    else k.refused(why);
  }

  // Past its expiry: the band refuses it (sealed), the checkout agrees; a later payment brings a fresh one.
  w.advance(LATE_MS);
  {
    const before = flashOf(a.ep);
    const why = await bandRefusal(w, update, await a.ep.request(update.message));
    if (!same(before, flashOf(a.ep))) k.problem('KEY UPDATE delay past expiry: the band wrote its flash');
    else if (why === null) k.problem('KEY UPDATE delay past expiry: accepted');
    else k.refused(why);
  }
  update = await payForUpdate(w, a);
  if (!update) throw new Error('relay: no fresh key update after the late one');

  // The band takes the honest update; its ANSWER is mutated on the way to the checkout.
  const answer = await answerOf(a, update.message);
  for (const [attack, mutate] of mutators(stride))
    for (const m of mutate(answer)) {
      try {
        await w.terminal.answer(update.challengeId, m.bytes);
        k.problem(`KEY UPDATE ANSWER ${attack}: ${m.what}: accepted`);
      } catch (e) {
        if (!(e instanceof CheckoutHttpError)) throw e;
        k.refused(e.statusName);
      }
    }
  const taken = await w.terminal.answer(update.challengeId, answer);
  await a.ep.deliver(taken.result);
  if (taken.kind !== 'key-update') k.r.problems.push(`the honest update's answer came back as ${taken.kind}`);

  // Replayed after the band took it: signed by a key the band no longer holds.
  {
    const before = flashOf(a.ep);
    const why = await bandRefusal(w, update, await a.ep.request(update.message));
    if (!same(before, flashOf(a.ep))) k.problem('KEY UPDATE replay: the band wrote its flash');
    else if (why === null) k.problem('KEY UPDATE replay: accepted');
    else k.refused(why);
  }

  // Band A pays under the new keys with no further update; band B still on the old keys pays and moves too.
  if (await payForUpdate(w, a)) k.r.problems.push('band A was offered another update after taking one');
  const bUpdate = await payForUpdate(w, w.b);
  if (!bUpdate) k.r.problems.push('band B on the previous keys was offered no update');
  else {
    const r = await w.terminal.answer(bUpdate.challengeId, message(await w.b.ep.request(bUpdate.message), 'ANSWER'));
    await w.b.ep.deliver(r.result);
  }
  await retireWorld(w);
  for (const band of [a, w.b])
    if (await payForUpdate(w, band)) k.r.problems.push(`band ${band.label}: update after retire`);
  return k.r;
}
