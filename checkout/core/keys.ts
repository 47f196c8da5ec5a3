/**
 * The checkout's long-lived keys: a ring of ES256 signing + HPKE DHKEM(P-256) key pairs
 * (challenges, notifications, hellos; PROTOCOL.md §8) and the HMAC key of device tokens.
 * Key 1 is created on first start; every key is kept in the store as 32-byte scalars, so a
 * restart on the same database keeps the keys every enrolled band has pinned (and the device
 * tokens owners hold). A rotation (core/key-ring.ts) takes effect when each instance restarts.
 */
import type { KeyHandle } from '../../shared/crypto/provider.ts';
import type { HostCryptoProvider } from '../../shared/crypto/host-provider.ts';
import { isValidScalar } from '../../shared/crypto/p256-host.ts';
import type { CheckoutStore } from '../store.ts';

/** One usable key pair of the ring (active or previous). */
export interface RingKey {
  /** Its number in the ring: the epoch of the key update that announces it. */
  id: number;
  signing: KeyHandle;
  signingPublic: Uint8Array;
  hpke: KeyHandle;
  hpkePublic: Uint8Array;
}

export interface CheckoutKeys {
  /** The active key pair's id; new enrollments pin it, notifications are signed with it. */
  id: number;
  signing: KeyHandle;
  signingPublic: Uint8Array;
  /** SHA-256(signingPublic)[0..16]: the key id of the checkout's notifications (PROTOCOL.md §3). */
  keyId: Uint8Array;
  hpke: KeyHandle;
  hpkePublic: Uint8Array;
  /** The active key pair first, then the previous one while bands may still hold it. */
  ring: RingKey[];
  /** HMAC-SHA256 key of the device tokens (core/device-tokens.ts); never leaves the store. */
  deviceTokenKey: Uint8Array;
}

export function freshScalar(provider: HostCryptoProvider): Uint8Array {
  let fresh = provider.randomBytes(32);
  while (!isValidScalar(fresh)) fresh = provider.randomBytes(32);
  return fresh;
}

function importScalar(provider: HostCryptoProvider, scalar: Uint8Array, what: string): KeyHandle {
  const handle = provider.p256ImportPrivate(scalar);
  if (!handle) throw new Error(`stored ${what} is not a valid P-256 scalar`);
  return handle;
}

export async function loadOrCreateKeys(store: CheckoutStore, provider: HostCryptoProvider): Promise<CheckoutKeys> {
  let rows = await store.keyRing.list();
  if (rows.length === 0) {
    // createFirst is insert-if-absent: two processes starting on a fresh file end up with the winner's key.
    await store.keyRing.createFirst(freshScalar(provider), freshScalar(provider), Date.now());
    rows = await store.keyRing.list();
  }
  const ring: RingKey[] = [];
  for (const state of ['active', 'previous'] as const) {
    const r = rows.find((k) => k.state === state);
    if (!r?.signing || !r.hpke) continue;
    const signing = importScalar(provider, r.signing, `signing key ${r.id}`);
    const hpke = importScalar(provider, r.hpke, `HPKE key ${r.id}`);
    ring.push({
      id: r.id,
      signing,
      signingPublic: provider.p256PublicKey(signing),
      hpke,
      hpkePublic: provider.p256PublicKey(hpke),
    });
  }
  const active = ring[0];
  if (!rows.some((k) => k.state === 'active')) throw new Error('the key ring has no active key');
  const deviceTokenKey =
    (await store.getMeta('device-token-key')) ??
    (await store.setMetaOnce('device-token-key', provider.randomBytes(32)));
  return {
    id: active.id,
    deviceTokenKey,
    signing: active.signing,
    signingPublic: active.signingPublic,
    keyId: provider.sha256(active.signingPublic).slice(0, 16),
    hpke: active.hpke,
    hpkePublic: active.hpkePublic,
    ring,
  };
}

/** The ring key a band holds; undefined once that key is retired (the band must enrol again). */
export function ringKey(keys: CheckoutKeys, id: number): RingKey | undefined {
  return keys.ring.find((k) => k.id === id);
}
