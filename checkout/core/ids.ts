/**
 * Identifiers and text encodings of the checkout. Every id is random (never a counter
 * or a hash of user data), so ids leak nothing and cannot be guessed.
 */
import type { CryptoProvider } from '../../shared/crypto/provider.ts';
import { Status } from '../../shared/status/codes.ts';
import type { Commit } from '../store.ts';
import { refuse } from './errors.ts';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567'; // RFC 4648 alphabet, lower case
/** Pairing codes are typed by people: no 0/O, 1/I/L. */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

export function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

export type IdKind = 'acc' | 'enr' | 'tok' | 'ch' | 'm' | 't' | 'trd' | 'pay' | 'rfd' | 'ntf' | 'idc';

/**
 * Ids that travel on the air in every payment (challenge and token): merchant, terminal and
 * card token reference. They get 5 random bytes (8 characters) to keep payments short; 40 bits
 * can collide, so every insert of one retries with a fresh id (insertWithFreshId).
 */
const ON_AIR: readonly IdKind[] = ['m', 't', 'tok'];

/**
 * "<kind>_<base32 of 10 random bytes>" (16 characters after the prefix, ≤ 20 in all);
 * for the kinds that travel on the air, 5 bytes (8 characters).
 */
export function newId(provider: CryptoProvider, kind: IdKind): string {
  return `${kind}_${base32(provider.randomBytes(ON_AIR.includes(kind) ? 5 : 10))}`;
}

/** Fresh ids an insert tries: with 2^40 ids, even a second collision in a row means a broken RNG. */
const ID_ATTEMPTS = 8;

/**
 * Inserts with a fresh random id of `kind`, again with another one while the store answers
 * that the id is taken (`idTaken`: a UNIQUE conflict on the id, checked in the insert's own
 * statement). Any other refusal is returned as it is.
 */
export async function insertWithFreshId<T>(
  provider: CryptoProvider,
  kind: IdKind,
  insert: (id: string) => Promise<Commit<T>>,
): Promise<Commit<T>> {
  for (let i = 0; i < ID_ATTEMPTS; i++) {
    const r = await insert(newId(provider, kind));
    if (r.ok || !r.idTaken) return r;
  }
  refuse(Status.INTERNAL, `no free ${kind} id after ${ID_ATTEMPTS} tries`);
}

/** An 8-character pairing code; 31^8 ≈ 8.5e11 values, single use, minutes of life. */
export function newPairingCode(provider: CryptoProvider): string {
  let code = '';
  while (code.length < 8) {
    for (const b of provider.randomBytes(16)) {
      // Rejection sampling keeps every character equally likely (248 = 8 * 31).
      if (b < 248 && code.length < 8) code += CODE_ALPHABET[b % 31];
    }
  }
  return code;
}
