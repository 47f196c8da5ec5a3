/**
 * The checkout's long-lived keys: an ES256 signing key (challenges, notifications), an
 * HPKE DHKEM(P-256) key (hellos) and the HMAC key of device tokens. Created on first start
 * and kept in the store as 32-byte values, so a restart on the same database keeps the
 * identity that every enrolled band has pinned (and the device tokens owners hold).
 */
import type { KeyHandle } from '../../shared/crypto/provider.ts';
import type { HostCryptoProvider } from '../../shared/crypto/host-provider.ts';
import { isValidScalar } from '../../shared/crypto/p256-host.ts';
import type { CheckoutStore } from '../store.ts';

export interface CheckoutKeys {
  signing: KeyHandle;
  signingPublic: Uint8Array;
  /** SHA-256(signingPublic)[0..16], the kid of every challenge (docs/PROTOCOL.md §3). */
  keyId: Uint8Array;
  hpke: KeyHandle;
  hpkePublic: Uint8Array;
  /** HMAC-SHA256 key of the device tokens (core/device-tokens.ts); never leaves the store. */
  deviceTokenKey: Uint8Array;
}

async function loadScalar(store: CheckoutStore, provider: HostCryptoProvider, name: string): Promise<KeyHandle> {
  let scalar = await store.getMeta(name);
  if (!scalar) {
    let fresh = provider.randomBytes(32);
    while (!isValidScalar(fresh)) fresh = provider.randomBytes(32);
    // setMetaOnce: if two processes start on a fresh file at once, both end up with the winner's key.
    scalar = await store.setMetaOnce(name, fresh);
  }
  const handle = provider.p256ImportPrivate(scalar);
  if (!handle) throw new Error(`stored ${name} is not a valid P-256 scalar`);
  return handle;
}

export async function loadOrCreateKeys(store: CheckoutStore, provider: HostCryptoProvider): Promise<CheckoutKeys> {
  const signing = await loadScalar(store, provider, 'signing-key');
  const hpke = await loadScalar(store, provider, 'hpke-key');
  const signingPublic = provider.p256PublicKey(signing);
  const deviceTokenKey =
    (await store.getMeta('device-token-key')) ??
    (await store.setMetaOnce('device-token-key', provider.randomBytes(32)));
  return {
    deviceTokenKey,
    signing,
    signingPublic,
    keyId: provider.sha256(signingPublic).slice(0, 16),
    hpke,
    hpkePublic: provider.p256PublicKey(hpke),
  };
}
