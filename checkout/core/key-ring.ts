/**
 * The operator's key rotation (PROTOCOL.md §8): list the ring, rotate (a new active key pair;
 * the active one stays as previous for the overlap), retire the previous pair. Bands move to
 * the active keys on their own as they are used (key-update.ts); retiring strands any band
 * that has not, so it is refused while an active band still holds the previous keys.
 * Running instances load the ring at start: restart each after a rotate or a retire (until then
 * one reads the ring again when it meets a band another has moved: key-reload.ts).
 */
import { toHex } from '../../shared/crypto/bytes.ts';
import type { HostCryptoProvider } from '../../shared/crypto/host-provider.ts';
import { Status } from '../../shared/status/codes.ts';
import type { CheckoutKeyRow, CheckoutStore } from '../store.ts';
import { refuse } from './errors.ts';
import { freshScalar, loadOrCreateKeys } from './keys.ts';

export interface KeyView {
  id: number;
  state: CheckoutKeyRow['state'];
  createdAt: string;
  retiredAt: string | null;
  /** SHA-256(signing public key)[0..16] in hex; null once retired (its private half is gone). */
  keyId: string | null;
  /** Active bands that hold this key pair. */
  bands: number;
}

function view(provider: HostCryptoProvider, k: CheckoutKeyRow, holders: Map<number, number>): KeyView {
  const handle = k.signing ? provider.p256ImportPrivate(k.signing) : null;
  return {
    id: k.id,
    state: k.state,
    createdAt: new Date(k.createdAt).toISOString(),
    retiredAt: k.retiredAt === null ? null : new Date(k.retiredAt).toISOString(),
    keyId: handle ? toHex(provider.sha256(provider.p256PublicKey(handle)).slice(0, 16)) : null,
    bands: holders.get(k.id) ?? 0,
  };
}

export async function listKeys(store: CheckoutStore, provider: HostCryptoProvider): Promise<KeyView[]> {
  // A store the checkout has never started on gets its key 1 here, as `checkout start` would make it.
  await loadOrCreateKeys(store, provider);
  const holders = await store.keyRing.holders();
  return (await store.keyRing.list()).map((k) => view(provider, k, holders));
}

export async function rotateKeys(store: CheckoutStore, provider: HostCryptoProvider, now: number): Promise<KeyView> {
  await loadOrCreateKeys(store, provider);
  const r = await store.keyRing.rotate(freshScalar(provider), freshScalar(provider), now);
  if (!r.ok) refuse(r.status, r.detail);
  return view(provider, r.value, await store.keyRing.holders());
}

export async function retireKeys(
  store: CheckoutStore,
  provider: HostCryptoProvider,
  now: number,
  force: boolean,
): Promise<{ retired: KeyView; stranded: number }> {
  const previous = (await store.keyRing.list()).find((k) => k.state === 'previous');
  if (!previous) refuse(Status.NOT_FOUND, 'no previous key to retire');
  const stranded = (await store.keyRing.holders()).get(previous.id) ?? 0;
  if (stranded > 0 && !force)
    refuse(
      Status.CONFLICT,
      `${stranded} active band(s) still hold key ${previous.id}; they move to the active key with their next payment, unlock or card change (or --force: they can then neither pay nor be reached)`,
    );
  const r = await store.keyRing.retirePrevious(now);
  if (!r.ok) refuse(r.status, r.detail);
  return { retired: view(provider, r.value, new Map()), stranded };
}
