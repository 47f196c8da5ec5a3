/**
 * Splitting one message into GATT-sized fragments (CTAP 2.1 §11.4 style).
 *
 * Initial fragment:      [cmd][lenHi][lenLo][data…]   cmd has the high bit set
 * Continuation fragment: [seq][data…]                  seq 0x00, 0x01, … 0x7F, no wrap
 *
 * Every fragment is at most `mtu - 3` bytes (ATT header: opcode + handle). ES5 library only:
 * this file is bundled into the band image.
 */
import { isFrameCommand } from './commands.ts';

/** Smallest ATT MTU (Bluetooth Core, ATT_MTU default). */
export const MIN_MTU = 23;
/** Largest ATT MTU a peer may negotiate (512-byte attribute + 5 bytes of header room). */
export const MAX_MTU = 517;
/** ATT notification/write header: 1 opcode + 2 handle bytes. */
export const ATT_OVERHEAD = 3;
/** Bytes of header in an initial fragment: cmd + 16-bit length. */
export const INIT_HEADER_SIZE = 3;
/** Bytes of header in a continuation fragment: seq. */
export const CONT_HEADER_SIZE = 1;
/** Highest continuation sequence number (the high bit is the initial-fragment marker). */
export const MAX_SEQ = 0x7f;
/**
 * Largest message either side sends or accepts. Chosen so that a maximal message fits at the
 * smallest MTU without the sequence number wrapping: at MTU 23 a fragment is 20 bytes, so
 * 17 + 128 × 19 = 2449 ≥ 2048. Wrapping is therefore never needed and never accepted.
 */
export const MAX_MESSAGE_SIZE = 2048;

/** True for an integer ATT MTU in 23..517. */
export function isValidMtu(mtu: unknown): mtu is number {
  return typeof mtu === 'number' && isFinite(mtu) && Math.floor(mtu) === mtu && mtu >= MIN_MTU && mtu <= MAX_MTU;
}

/**
 * Clamp an MTU reported by a radio stack into 23..517. Some stacks report the local maximum
 * (for example 527 or 65535) or 0 before negotiation; the transport never trusts that blindly.
 * Non-numbers and NaN map to 23, the one MTU every link supports.
 */
export function clampMtu(mtu: number): number {
  if (typeof mtu !== 'number' || mtu !== mtu) return MIN_MTU;
  const whole = Math.floor(mtu);
  if (whole < MIN_MTU) return MIN_MTU;
  if (whole > MAX_MTU) return MAX_MTU;
  return whole;
}

/**
 * Number of fragments for a payload of `length` bytes at `mtu`. With F = mtu − 3:
 *
 *   n = 1                                     if length ≤ F − 3
 *   n = 1 + ⌈(length − (F − 3)) / (F − 1)⌉     otherwise
 *
 * Bytes on air (before ATT/L2CAP/LL headers) = length + 3 + (n − 1). Each fragment is one
 * GATT write or notification, i.e. at least one connection event, so n (not length) decides
 * latency: 2048 bytes is 108 fragments at MTU 23 but 4 at MTU 517.
 */
export function fragmentCount(length: number, mtu: number): number {
  const f = mtu - ATT_OVERHEAD;
  const first = f - INIT_HEADER_SIZE;
  if (length <= first) return 1;
  const per = f - CONT_HEADER_SIZE;
  return 1 + Math.ceil((length - first) / per);
}

/**
 * Split `payload` into fragments for one GATT write/notification each.
 * Throws a plain Error for programmer errors: unknown command, MTU outside 23..517 or not an
 * integer (clamp radio-reported values with `clampMtu` first), payload not a Uint8Array or
 * longer than MAX_MESSAGE_SIZE. The fragments are fresh arrays; the payload is not aliased.
 */
export function fragmentMessage(cmd: number, payload: Uint8Array, mtu: number): Uint8Array[] {
  if (!isFrameCommand(cmd)) throw new Error('fragmentMessage: unknown frame command ' + cmd);
  if (!isValidMtu(mtu)) throw new Error('fragmentMessage: MTU must be an integer in 23..517, got ' + mtu);
  if (!(payload instanceof Uint8Array)) throw new Error('fragmentMessage: payload must be a Uint8Array');
  const length = payload.length;
  if (length > MAX_MESSAGE_SIZE) {
    throw new Error('fragmentMessage: payload of ' + length + ' bytes exceeds ' + MAX_MESSAGE_SIZE);
  }
  const f = mtu - ATT_OVERHEAD;
  const out: Uint8Array[] = [];
  let firstLen = f - INIT_HEADER_SIZE;
  if (firstLen > length) firstLen = length;
  const first = new Uint8Array(INIT_HEADER_SIZE + firstLen);
  first[0] = cmd;
  first[1] = (length >>> 8) & 0xff;
  first[2] = length & 0xff;
  first.set(payload.subarray(0, firstLen), INIT_HEADER_SIZE);
  out.push(first);
  let pos = firstLen;
  let seq = 0;
  while (pos < length) {
    let n = f - CONT_HEADER_SIZE;
    if (n > length - pos) n = length - pos;
    const frag = new Uint8Array(CONT_HEADER_SIZE + n);
    frag[0] = seq;
    frag.set(payload.subarray(pos, pos + n), CONT_HEADER_SIZE);
    out.push(frag);
    pos += n;
    seq++;
  }
  // Cannot trigger with MAX_MESSAGE_SIZE = 2048 and MTU ≥ 23; guards a future constant change.
  if (seq - 1 > MAX_SEQ) throw new Error('fragmentMessage: message needs more than 128 continuations');
  return out;
}
