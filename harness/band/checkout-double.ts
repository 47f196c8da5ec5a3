/**
 * The checkout double on the host: ./checkout-core.ts over the default provider
 * (node:crypto) with the cbor-x encoder. See checkout-core.ts for what it does.
 */
import { encodeCborHost } from '../../shared/cbor/host.ts';
import { defaultProvider } from '../../shared/crypto/default-provider.ts';
import type { HostCryptoProvider } from '../../shared/crypto/host-provider.ts';
import { CheckoutCore } from './checkout-core.ts';

export type { EnrolledBand, IssuedChallenge } from './checkout-core.ts';

export class CheckoutDouble extends CheckoutCore {
  declare readonly provider: HostCryptoProvider;

  constructor() {
    super(defaultProvider(), encodeCborHost);
  }
}
