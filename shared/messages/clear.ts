/**
 * Clear-text messages: what the bridge sees (docs/PROTOCOL.md §3, first table).
 * One case per message in `decodeFields`, which `decodeMessage` dispatches to on the type key.
 */
import { MAX_MESSAGE_BYTES, MessageType, Size } from '../protocol/constants.ts';
import { Status, type StatusCode } from '../status/codes.ts';
import { type Result, fail } from '../status/error.ts';
import { type Encoder, decodeProtocolMap, defaultEncoder, messageMap, readHeader } from './envelope.ts';
import { Fields } from './fields.ts';
import {
  AnswerMessageKey,
  ChallengeMessageKey,
  EnrollMessageKey,
  EnrolledMessageKey,
  EnvelopeKey,
  ErrorMessageKey,
  HelloMessageKey,
  InfoMessageKey,
  KeepaliveMessageKey,
  ResultMessageKey,
} from './keys.ts';

export interface InfoMessage {
  type: 'info';
  maxMessageSize: number;
  firmware: string;
  enrolled: boolean;
}
export interface HelloMessage {
  type: 'hello';
  enc: Uint8Array;
  ct: Uint8Array;
}
/** `ownerKey`: the owner's bridge's one-time P-256 key the band seals its IRK to (PROTOCOL.md §7); the checkout never sends it. */
export interface EnrollMessage {
  type: 'enroll';
  checkoutSigningKey: Uint8Array;
  checkoutHpkeKey: Uint8Array;
  nonce: Uint8Array;
  ownerKey?: Uint8Array;
}
/** The IRK sealed to the ENROLL's ownerKey, and the band's signature over it (present exactly when ownerKey was). */
export interface EnrolledMessage {
  type: 'enrolled';
  signingKey: Uint8Array;
  hpkeKey: Uint8Array;
  signature: Uint8Array;
  irkEnc?: Uint8Array;
  irkCt?: Uint8Array;
  irkSignature?: Uint8Array;
}
export interface ChallengeMessage {
  type: 'challenge';
  enc: Uint8Array;
  ct: Uint8Array;
}
export interface AnswerMessage {
  type: 'answer';
  sealed: Uint8Array;
}
export interface ResultMessage {
  type: 'result';
  sealed: Uint8Array;
}
export interface KeepaliveMessage {
  type: 'keepalive';
  status: StatusCode;
  remainingMs: number;
}
export interface ErrorMessage {
  type: 'error';
  status: StatusCode;
}
export interface HelloRequestMessage {
  type: 'hello-request';
}

export type Message =
  | InfoMessage
  | HelloMessage
  | EnrollMessage
  | EnrolledMessage
  | ChallengeMessage
  | AnswerMessage
  | ResultMessage
  | KeepaliveMessage
  | ErrorMessage
  | HelloRequestMessage;

const KEY = { pub: Size.PUBLIC_KEY, sig: Size.SIGNATURE, nonce: Size.NONCE };

/**
 * The decoder of one message type: reads every field of its message and nothing else;
 * null for an unknown type. One switch rather than a table of arrow functions: each
 * function costs the band ~190 bytes of heap, a case costs only its bytecode.
 */
function decodeFields(type: number, f: Fields): Result<Message> | null {
  switch (type) {
    case MessageType.INFO:
      return f.done<Message>({
        type: 'info',
        maxMessageSize: f.uint(InfoMessageKey.MAX_MESSAGE_SIZE, { max: 65535 }),
        firmware: f.text(InfoMessageKey.FIRMWARE, { max: Size.MAX_FIRMWARE }),
        enrolled: f.bool(InfoMessageKey.ENROLLED),
      });
    case MessageType.HELLO:
      return f.done<Message>({
        type: 'hello',
        enc: f.bytes(HelloMessageKey.ENC, { len: KEY.pub }),
        ct: f.bytes(HelloMessageKey.CT, { max: Size.MAX_HELLO_CT }),
      });
    case MessageType.ENROLL:
      return f.done<Message>({
        type: 'enroll',
        checkoutSigningKey: f.bytes(EnrollMessageKey.CHECKOUT_SIGNING_KEY, { len: KEY.pub }),
        checkoutHpkeKey: f.bytes(EnrollMessageKey.CHECKOUT_HPKE_KEY, { len: KEY.pub }),
        nonce: f.bytes(EnrollMessageKey.NONCE, { len: KEY.nonce }),
        ownerKey: f.bytes(EnrollMessageKey.OWNER_KEY, { len: KEY.pub, optional: true }),
      });
    case MessageType.ENROLLED: {
      const m: EnrolledMessage = {
        type: 'enrolled',
        signingKey: f.bytes(EnrolledMessageKey.SIGNING_KEY, { len: KEY.pub }),
        hpkeKey: f.bytes(EnrolledMessageKey.HPKE_KEY, { len: KEY.pub }),
        signature: f.bytes(EnrolledMessageKey.SIGNATURE, { len: KEY.sig }),
        irkEnc: f.bytes(EnrolledMessageKey.IRK_ENC, { len: KEY.pub, optional: true }),
        irkCt: f.bytes(EnrolledMessageKey.IRK_CT, { len: Size.SEALED_IRK, optional: true }),
        irkSignature: f.bytes(EnrolledMessageKey.IRK_SIGNATURE, { len: KEY.sig, optional: true }),
      };
      // The sealed IRK travels whole or not at all.
      if (
        (m.irkEnc === undefined) !== (m.irkCt === undefined) ||
        (m.irkEnc === undefined) !== (m.irkSignature === undefined)
      )
        f.refuse('keys 5-7 go together');
      return f.done<Message>(m);
    }
    case MessageType.CHALLENGE:
      return f.done<Message>({
        type: 'challenge',
        enc: f.bytes(ChallengeMessageKey.ENC, { len: KEY.pub }),
        ct: f.bytes(ChallengeMessageKey.CT, { max: Size.MAX_CHALLENGE_CT }),
      });
    case MessageType.ANSWER:
      return f.done<Message>({ type: 'answer', sealed: f.bytes(AnswerMessageKey.SEALED, { max: Size.MAX_ANSWER }) });
    case MessageType.RESULT:
      return f.done<Message>({ type: 'result', sealed: f.bytes(ResultMessageKey.SEALED, { max: Size.MAX_RESULT }) });
    case MessageType.KEEPALIVE: {
      const status = f.status(KeepaliveMessageKey.STATUS);
      // PROTOCOL.md §3: a KEEPALIVE carries CONFIRMATION_REQUIRED or PROCESSING, nothing else.
      if (status !== Status.CONFIRMATION_REQUIRED && status !== Status.PROCESSING)
        f.refuse('key 2: not a keepalive status');
      return f.done<Message>({
        type: 'keepalive',
        status,
        remainingMs: f.uint(KeepaliveMessageKey.REMAINING_MS, { max: 600000 }),
      });
    }
    case MessageType.ERROR: {
      const status = f.status(ErrorMessageKey.STATUS);
      if (status === Status.OK) f.refuse('an ERROR cannot carry OK');
      return f.done<Message>({ type: 'error', status });
    }
    case MessageType.HELLO_REQUEST:
      return f.done<Message>({ type: 'hello-request' });
  }
  return null;
}

/** Decodes any clear-text message from untrusted bytes. Never throws. */
export function decodeMessage(bytes: Uint8Array): Result<Message> {
  const map = decodeProtocolMap(bytes, MAX_MESSAGE_BYTES);
  if (!map.ok) return map;
  const header = readHeader(map.value);
  if (!header.ok) return header;
  const decoded = decodeFields(header.value, new Fields(map.value, [EnvelopeKey.TYPE, EnvelopeKey.VERSION]));
  return decoded || fail(Status.UNKNOWN_COMMAND, 'message type ' + header.value);
}

/** Decodes and insists on one message type (MALFORMED for another type). */
export function decodeMessageOf<T extends Message['type']>(
  bytes: Uint8Array,
  type: T,
): Result<Extract<Message, { type: T }>> {
  const r = decodeMessage(bytes);
  if (!r.ok) return r;
  if (r.value.type !== type) return fail(Status.MALFORMED, 'expected ' + type + ', got ' + r.value.type);
  return r as Result<Extract<Message, { type: T }>>;
}

/** Encodes a message deterministically (compact codec unless the host passes cbor-x's encoder). */
export function encodeMessage(m: Message, encoder?: Encoder): Uint8Array {
  const enc = encoder || defaultEncoder;
  switch (m.type) {
    case 'info':
      return enc(
        messageMap(MessageType.INFO, [
          [InfoMessageKey.MAX_MESSAGE_SIZE, m.maxMessageSize],
          [InfoMessageKey.FIRMWARE, m.firmware],
          [InfoMessageKey.ENROLLED, m.enrolled],
        ]),
      );
    case 'hello':
      return enc(
        messageMap(MessageType.HELLO, [
          [HelloMessageKey.ENC, m.enc],
          [HelloMessageKey.CT, m.ct],
        ]),
      );
    case 'enroll':
      return enc(
        messageMap(MessageType.ENROLL, [
          [EnrollMessageKey.CHECKOUT_SIGNING_KEY, m.checkoutSigningKey],
          [EnrollMessageKey.CHECKOUT_HPKE_KEY, m.checkoutHpkeKey],
          [EnrollMessageKey.NONCE, m.nonce],
          [EnrollMessageKey.OWNER_KEY, m.ownerKey],
        ]),
      );
    case 'enrolled':
      return enc(
        messageMap(MessageType.ENROLLED, [
          [EnrolledMessageKey.SIGNING_KEY, m.signingKey],
          [EnrolledMessageKey.HPKE_KEY, m.hpkeKey],
          [EnrolledMessageKey.SIGNATURE, m.signature],
          [EnrolledMessageKey.IRK_ENC, m.irkEnc],
          [EnrolledMessageKey.IRK_CT, m.irkCt],
          [EnrolledMessageKey.IRK_SIGNATURE, m.irkSignature],
        ]),
      );
    case 'challenge':
      return enc(
        messageMap(MessageType.CHALLENGE, [
          [ChallengeMessageKey.ENC, m.enc],
          [ChallengeMessageKey.CT, m.ct],
        ]),
      );
    case 'answer':
      return enc(messageMap(MessageType.ANSWER, [[AnswerMessageKey.SEALED, m.sealed]]));
    case 'result':
      return enc(messageMap(MessageType.RESULT, [[ResultMessageKey.SEALED, m.sealed]]));
    case 'keepalive':
      return enc(
        messageMap(MessageType.KEEPALIVE, [
          [KeepaliveMessageKey.STATUS, m.status],
          [KeepaliveMessageKey.REMAINING_MS, m.remainingMs],
        ]),
      );
    case 'error':
      return enc(messageMap(MessageType.ERROR, [[ErrorMessageKey.STATUS, m.status]]));
    case 'hello-request':
      return enc(messageMap(MessageType.HELLO_REQUEST, []));
  }
}
