/**
 * A stored password hash keeps the scrypt cost it was made with (core/passwords.ts): raising
 * `scryptLog2N` must not lock out every account made before, and a stored value that names no
 * sane cost (a damaged row, a copy from elsewhere) is a wrong password, never a huge scrypt.
 */
import { scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../checkout/core/config.ts';
import { PasswordHasher, newSalt } from '../../checkout/core/passwords.ts';

const hasher = (scryptLog2N: number) => new PasswordHasher({ scryptLog2N, hashQueue: defaultConfig.hashQueue });

describe('the scrypt cost travels with the hash', () => {
  it('a hash made at 2^10 still verifies after the operator raises the cost to 2^11, and is refused for a wrong password', async () => {
    const salt = newSalt();
    const stored = await hasher(10).hash('correct horse', salt);
    expect(stored.length).toBe(33);
    expect(stored[0]).toBe(10);
    const raised = hasher(11);
    expect(await raised.verify('correct horse', salt, stored)).toBe(true);
    expect(await raised.verify('correct horsf', salt, stored)).toBe(false);
    // New hashes take the new cost.
    expect((await raised.hash('correct horse', salt))[0]).toBe(11);
  });

  it('a bare 32-byte hash from before the cost was kept verifies at the configured cost', async () => {
    const salt = newSalt();
    const legacy = new Uint8Array(scryptSync('old password', salt, 32, { N: 2 ** 10, r: 8, p: 1 }));
    expect(await hasher(10).verify('old password', salt, legacy)).toBe(true);
    expect(await hasher(10).verify('old passwore', salt, legacy)).toBe(false);
  });

  it('a stored value naming no sane cost, or of another length, is refused without hashing at that cost', async () => {
    const salt = newSalt();
    const stored = await hasher(10).hash('pw', salt);
    for (const cost of [0, 9, 21, 64, 255]) {
      const damaged = stored.slice();
      damaged[0] = cost;
      expect(await hasher(10).verify('pw', salt, damaged), `cost ${cost}`).toBe(false);
    }
    for (const length of [0, 1, 31, 34, 64])
      expect(await hasher(10).verify('pw', salt, new Uint8Array(length)), `length ${length}`).toBe(false);
  });
});
