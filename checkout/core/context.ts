/** What every checkout service is handed: one store, one crypto provider, one clock. */
import type { HostCryptoProvider } from '../../shared/crypto/host-provider.ts';
import type { CheckoutStore } from '../store.ts';
import type { CheckoutConfig } from './config.ts';
import type { CheckoutKeys } from './keys.ts';
import type { CheckoutObserver } from './observer.ts';
import type { Promotion } from './promotion-file.ts';

export interface Ctx {
  readonly store: CheckoutStore;
  readonly provider: HostCryptoProvider;
  /** Wall-clock milliseconds; injected so tests can move time. */
  readonly clock: () => number;
  readonly config: CheckoutConfig;
  /** Replaced when another instance has rotated the ring (key-reload.ts). */
  keys: CheckoutKeys;
  /** Metrics hooks (checkout/metrics.ts). */
  readonly observer: CheckoutObserver;
  /** The banks' and transit operators' promotions, checked at start (promotion-file.ts). */
  readonly promotions: readonly Promotion[];
}
