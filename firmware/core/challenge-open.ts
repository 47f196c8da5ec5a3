/**
 * Opening a CHALLENGE, one guard per step (docs/PROTOCOL.md §3): HPKE open with the
 * band's key, the checkout's COSE_Sign1 signature with the pinned key, the body's
 * schema, the device it names, its expiry window and its nonce's freshness.
 *
 * Once the HPKE context exists every refusal is answered sealed (so the checkout learns
 * why, and the relay learns nothing); before that only a clear ERROR is possible.
 */
import { ascii, constantTimeEqual } from '../../shared/crypto/bytes.ts';
import type { CryptoProvider } from '../../shared/crypto/provider.ts';
import { ES256, Header, decodeSign1, sigStructure } from '../../shared/cose/sign1.ts';
import { setupBaseR, type RecipientContext } from '../../shared/hpke/index.ts';
import { type ChallengeBody, decodeChallengeBody } from '../../shared/messages/bodies.ts';
import type { ChallengeMessage } from '../../shared/messages/clear.ts';
import { Label, Size } from '../../shared/protocol/constants.ts';
import { Status, type StatusCode } from '../../shared/status/codes.ts';
import type { BandConfig } from '../config.ts';
import { Slot } from '../hal.ts';
import type { Enrollment } from './band-store.ts';
import { slotHandle } from './hal-provider.ts';

export interface OpenedChallenge {
  ctx: RecipientContext;
  enc: Uint8Array;
  body: ChallengeBody;
}

export type OpenOutcome =
  | { opened: true; challenge: OpenedChallenge }
  /** `ctx` is set when the refusal can be answered sealed. */
  | { opened: false; status: StatusCode; ctx?: RecipientContext; enc?: Uint8Array };

/**
 * Checkout nonces seen recently, kept until their challenge would expire anyway. The
 * memory is allocated once, at boot (a ring of `capacity` nonces and their expiries), so
 * the band's heap does not grow as payments come in; when full, the oldest entry goes.
 */
export class ReplayMemory {
  private readonly nonces: Uint8Array;
  /** Expiry of each slot; 0 marks a free slot. */
  private readonly expiries: number[] = [];
  private next = 0;
  constructor(private readonly capacity: number) {
    this.nonces = new Uint8Array(capacity * Size.NONCE);
    for (let i = 0; i < capacity; i++) this.expiries.push(0);
  }
  /**
   * True for a nonce not seen (or whose challenge has expired), which is then remembered until
   * `expiry`; false for a replay.
   */
  admit(nonce: Uint8Array, now: number, expiry: number): boolean {
    for (let i = 0; i < this.capacity; i++) {
      if (this.expiries[i] !== 0 && this.expiries[i] <= now) this.expiries[i] = 0;
      if (
        this.expiries[i] !== 0 &&
        constantTimeEqual(this.nonces.subarray(i * Size.NONCE, (i + 1) * Size.NONCE), nonce)
      )
        return false;
    }
    this.nonces.set(nonce, this.next * Size.NONCE);
    this.expiries[this.next] = expiry;
    this.next = (this.next + 1) % this.capacity;
    return true;
  }
}

export function openChallenge(
  provider: CryptoProvider,
  msg: ChallengeMessage,
  enrollment: Enrollment,
  replay: ReplayMemory,
  nowWall: number,
  config: BandConfig,
): OpenOutcome {
  const setup = setupBaseR(provider, msg.enc, slotHandle(Slot.HPKE), ascii(Label.CHALLENGE));
  if (!setup.ok) return { opened: false, status: setup.status };
  const ctx = setup.value;
  const sealedRefusal = (status: StatusCode): OpenOutcome => ({ opened: false, status, ctx, enc: msg.enc });
  const plaintext = ctx.open(new Uint8Array(0), msg.ct);
  if (!plaintext.ok) return { opened: false, status: Status.DECRYPT_FAILED };
  const signed = decodeSign1(plaintext.value, true, 1500);
  if (!signed.ok) return sealedRefusal(signed.status);
  const s = signed.value;
  // Protected header exactly {1: -7}: no kid, the band pins one checkout key.
  if (
    !s.tagged ||
    s.protectedHeader.size !== 1 ||
    s.protectedHeader.get(Header.ALG) !== ES256 ||
    s.unprotected.size !== 0
  )
    return sealedRefusal(Status.MALFORMED);
  const tbs = sigStructure(s.protectedBytes, new Uint8Array(0), s.payload);
  if (!provider.p256Verify(enrollment.checkoutSigningKey, tbs, s.signature)) return sealedRefusal(Status.BAD_SIGNATURE);
  const body = decodeChallengeBody(s.payload);
  if (!body.ok) return sealedRefusal(body.status);
  const b = body.value;
  if (!constantTimeEqual(b.deviceId, enrollment.deviceId)) return sealedRefusal(Status.WRONG_DEVICE);
  // expiry is in whole seconds (a CWT NumericDate); against the clock's ms / 1000 the comparison stays exact.
  const now = nowWall / 1000;
  if (b.expiry <= now || b.expiry > now + config.maxChallengeLifetimeMs / 1000) return sealedRefusal(Status.EXPIRED);
  if (!replay.admit(b.nonce, now, b.expiry)) return sealedRefusal(Status.REPLAYED);
  return { opened: true, challenge: { ctx, enc: msg.enc, body: b } };
}
