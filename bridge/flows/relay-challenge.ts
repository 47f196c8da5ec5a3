/**
 * The relay's one move, shared by every flow: a challenge from the checkout goes to the
 * band as sealed bytes, the band's sealed ANSWER goes back to the checkout, and the
 * checkout's sealed RESULT goes to the band so it can show the outcome. The bridge reads
 * none of it. Where the checkout refuses an answer it still sends a RESULT for the band,
 * and where it refuses a revoked band it sends the queued WIPE; after an accepted answer from a
 * band on its previous keys it sends a KEY UPDATE: all are delivered here.
 */
import type { HelloMessage, KeepaliveMessage } from '../../shared/messages/clear.ts';
import type { Api, Challenge, CheckoutClient } from '../../checkout/api/client.ts';
import { CheckoutHttpError } from '../../checkout/api/client.ts';
import type { BandSession, Reply } from '../relay/band-session.ts';
import { Status } from '../../shared/status/codes.ts';
import { type Outcome, type Refusal, type WipeReport, ok, refusal, refusalOf } from './outcome.ts';

export interface RelayOptions {
  /** KEEPALIVEs while the band waits for its button (or works). */
  onKeepalive?: (k: KeepaliveMessage) => void;
  /** Silence budget per band reply (default 5000 ms; keepalives stretch it). */
  bandTimeoutMs?: number;
  /** The band answered; its ANSWER is being posted to the checkout. */
  onAnswer?: () => void;
}

export interface Relayed {
  kind: Api.AnswerJson['kind'];
  receipt?: Api.Receipt;
  card?: Api.CardView;
  /** False when the RESULT could not be written back (the outcome stands; the band just does not show it). */
  resultShown: boolean;
  /** Set when the checkout asked for a key update after this answer: whether the band took it. */
  keysUpdated?: boolean;
  /** An identity challenge's authenticator data and assertion (PROTOCOL.md §9). */
  identity?: Api.AnswerJson['identity'];
}

/** HELLO_REQUEST → the band's sealed HELLO (bytes as the band sent them). */
export async function readHello(session: BandSession, opts: RelayOptions = {}): Promise<Outcome<Reply<HelloMessage>>> {
  try {
    return ok(await session.expect({ type: 'hello-request' }, 'hello', { timeoutMs: opts.bandTimeoutMs }));
  } catch (e) {
    return refusalOf(e, 'band');
  }
}

/** Writes a RESULT to the band; false when it could not (best effort, never a failure of the flow). */
export async function showResult(session: BandSession | null, result: Uint8Array | undefined): Promise<boolean> {
  if (!session || !result) return false;
  try {
    await session.send(result);
    return true;
  } catch {
    return false;
  }
}

/**
 * A checkout refusal as a flow refusal, after delivering what came with it: the RESULT
 * for the band, and — for a revoked band — the queued WIPE challenge.
 */
export async function checkoutRefusal(
  e: unknown,
  client: CheckoutClient,
  session: BandSession | null,
  opts: RelayOptions = {},
  allowWipe = true,
): Promise<Refusal> {
  const r = refusalOf(e, 'checkout');
  if (!(e instanceof CheckoutHttpError)) return r;
  if (e.result) await showResult(session, e.result);
  if (allowWipe && e.challenge && (e.challenge.kind === 'wipe' || e.challenge.kind === 'find')) {
    const report = session
      ? await deliverQueued(client, session, e.challenge, { bandTimeoutMs: opts.bandTimeoutMs })
      : {
          delivered: false,
          refusal: refusal(Status.UNREACHABLE, 'radio', `no band connected to deliver the ${e.challenge.kind} to`),
        };
    if (e.challenge.kind === 'wipe') r.wipe = report;
    else r.ring = report;
  }
  return r;
}

/** Challenge → band → ANSWER → checkout → RESULT → band. */
export async function relayChallenge(
  client: CheckoutClient,
  session: BandSession,
  challenge: Challenge,
  opts: RelayOptions = {},
): Promise<Outcome<Relayed>> {
  let answer: Reply;
  try {
    answer = await session.expect(challenge.message, 'answer', {
      timeoutMs: opts.bandTimeoutMs,
      onKeepalive: opts.onKeepalive,
    });
  } catch (e) {
    return refusalOf(e, 'band');
  }
  opts.onAnswer?.();
  let posted: Awaited<ReturnType<CheckoutClient['answer']>>;
  try {
    posted = await client.answer(challenge.challengeId, answer.bytes);
  } catch (e) {
    // No wipe within a wipe (or a ring): their own answers are never answered with another one.
    return checkoutRefusal(e, client, session, opts, challenge.kind !== 'wipe' && challenge.kind !== 'find');
  }
  const resultShown = await showResult(session, posted.result);
  const r: Relayed = { kind: posted.kind, receipt: posted.receipt, card: posted.card, resultShown };
  if (posted.identity) r.identity = posted.identity;
  // The band is on the checkout's previous keys: its key update goes next, on the same link
  // (PROTOCOL.md §8). Best effort: the answer above stands either way, and a band that misses
  // it gets another with its next accepted answer.
  if (posted.keyUpdate)
    r.keysUpdated = (await relayChallenge(client, session, posted.keyUpdate, { bandTimeoutMs: opts.bandTimeoutMs })).ok;
  return ok(r);
}

/**
 * The checkout answered REVOKED with a WIPE challenge (a lost band seen by this bridge: the
 * band erases its cards and keys), or FIND_REQUESTED with a FIND challenge (its owner is
 * looking for it: it rings): write it to the band and post the band's answer.
 */
export async function deliverQueued(
  client: CheckoutClient,
  session: BandSession,
  challenge: Challenge,
  opts: RelayOptions = {},
): Promise<WipeReport> {
  if (challenge.kind !== 'wipe' && challenge.kind !== 'find')
    return {
      delivered: false,
      refusal: refusal(Status.MALFORMED, 'checkout', `not a wipe or find challenge (${challenge.kind})`),
    };
  const r = await relayChallenge(client, session, challenge, opts);
  if (r.ok) return { delivered: true };
  const { wipe: _nested, ring: _ring, ...why } = r;
  return { delivered: false, refusal: why };
}
