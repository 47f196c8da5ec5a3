/**
 * The band as a WebAuthn authenticator (docs/FIRMWARE.md, "Identity key"; WebAuthn §6): one
 * P-256 key per relying party in a secure-element slot (Slot.IDENTITY onwards), made and used
 * only while worn and unlocked and only after a button press. "none" attestation.
 *
 * The credentials live in one flash record, an array with one entry per identity slot: null, or
 * [rpIdHash, credentialId, signCount]. It is read when a challenge needs it (no heap between
 * sign-ins). An assertion's counter is committed before it is signed, so it never repeats. A
 * record that does not read is taken as no credentials: a slot is only ever reused with a fresh
 * key, so no counter can go back.
 */
import { encodeCbor } from '../../shared/cbor/encode.ts';
import { CborMap, type CborValue } from '../../shared/cbor/types.ts';
import { utf8Length, utf8Write } from '../../shared/cbor/utf8.ts';
import { concat, constantTimeEqual, i2osp } from '../../shared/crypto/bytes.ts';
import type { AnswerBody } from '../../shared/messages/bodies.ts';
import { CREDENTIAL_ID_BYTES, type IdentityChallenge } from '../../shared/messages/identity-bodies.ts';
import { Status } from '../../shared/status/codes.ts';
import { Slot } from '../hal.ts';
import { type PaymentContext, PendingConfirmation } from './payment-flow.ts';

/** [rpIdHash, credentialId, signCount] */
type Row = [Uint8Array, Uint8Array, number];

function load(ctx: PaymentContext): Array<Row | null> {
  const v = ctx.store.loadIdentity();
  const rows: Array<Row | null> = [];
  for (let i = 0; i < Slot.IDENTITY_COUNT; i++) {
    const r = v instanceof Array ? v[i] : null;
    const ok =
      r instanceof Array && r[0] instanceof Uint8Array && r[1] instanceof Uint8Array && typeof r[2] === 'number';
    rows.push(ok ? (r as Row) : null);
  }
  return rows;
}

/**
 * Checks what can be checked before the button (worn and unlocked, a credential for the RP or
 * a free slot) and waits for it; a refusal is answered at once (`done`) and returns null.
 */
export function startIdentity(
  ctx: PaymentContext,
  b: IdentityChallenge,
  done: (a: AnswerBody) => void,
): PendingConfirmation<AnswerBody> | null {
  const rows = load(ctx);
  // rpIdHash (§6.1): SHA-256 of the RP ID's UTF-8 bytes.
  const rp = new Uint8Array(utf8Length(b.rpId));
  utf8Write(b.rpId, rp, 0);
  const rpIdHash = ctx.hal.hash.sha256(rp);
  const register = b.kind === 'identity-register';
  let at = -1;
  let free = -1;
  for (let i = 0; i < rows.length && Slot.IDENTITY + i < ctx.hal.se.slotCount; i++) {
    const r = rows[i];
    if (r === null && free < 0) free = i;
    if (r !== null && constantTimeEqual(r[0], rpIdHash)) at = i;
  }
  // A new RP takes a free slot; one already known is made again in its own.
  if (register && at < 0) at = free;
  const c = b.kind === 'identity-assert' ? b.credentialId : undefined;
  let status = ctx.unlockedStatus();
  if (status === Status.OK && at < 0) status = register ? Status.IDENTITY_FULL : Status.UNKNOWN_CREDENTIAL;
  // An RP that allows one credential (the second factor) names it: another is not this one.
  if (status === Status.OK && c !== undefined && !constantTimeEqual((rows[at] as Row)[1], c))
    status = Status.UNKNOWN_CREDENTIAL;
  if (status !== Status.OK) {
    done({ status });
    return null;
  }
  return new PendingConfirmation<AnswerBody>(
    ctx,
    (prompt) => ctx.show([register ? 'Sign up at' : 'Sign in to', b.rpId, prompt]),
    1,
    true,
    done,
    () => complete(ctx, rows, at, rpIdHash, register ? null : b.clientDataHash),
  );
}

/**
 * After the press: authenticatorMakeCredential (`clientDataHash` null: a fresh key and id,
 * counter 0, the attested authenticator data) or authenticatorGetAssertion (the counter raised,
 * then ES256 over authData ‖ clientDataHash). Flags (§6.1): UP, the button; UV, the wear was
 * unlocked with the account password; AT at registration.
 */
function complete(
  ctx: PaymentContext,
  rows: Array<Row | null>,
  at: number,
  rpIdHash: Uint8Array,
  clientDataHash: Uint8Array | null,
): AnswerBody {
  const se = ctx.hal.se;
  const slot = Slot.IDENTITY + at;
  let r = rows[at] as Row;
  if (clientDataHash === null) {
    r = [rpIdHash, ctx.hal.random.bytes(CREDENTIAL_ID_BYTES), 0];
    rows[at] = r;
    se.generate(slot);
  } else r[2] += 1;
  if (!ctx.store.commitIdentity(rows as CborValue[])) return { status: Status.STORAGE_CORRUPT };
  const authData = concat(rpIdHash, new Uint8Array([clientDataHash === null ? 0x45 : 0x05]), i2osp(r[2], 4));
  if (clientDataHash !== null) {
    const signature = se.sign(slot, concat(authData, clientDataHash));
    if (signature === null) return { status: Status.UNKNOWN_CREDENTIAL };
    return { status: Status.OK, authData, signature, credentialId: r[1] };
  }
  const pub = se.publicKey(slot) as Uint8Array;
  // attestedCredentialData: AAGUID (zero: "none"), id length, id, COSE_Key (RFC 9053 §7.1.1: EC2, ES256, P-256, x, y).
  const key = encodeCbor(new CborMap([1, 3, -1, -2, -3], [2, -7, 1, pub.subarray(1, 33), pub.subarray(33, 65)]));
  return {
    status: Status.OK,
    authData: concat(authData, new Uint8Array(16), i2osp(CREDENTIAL_ID_BYTES, 2), r[1], key),
  };
}

/** A wipe: every identity key erased and the record emptied. */
export function wipeIdentity(ctx: PaymentContext): boolean {
  for (let s = Slot.IDENTITY; s < ctx.hal.se.slotCount; s++) ctx.hal.se.erase(s);
  return ctx.store.commitIdentity([]);
}
