/**
 * A checkout in the test's own process on the database the processes under test share,
 * for setting up their world cheaply: scrypt at 2^10 and rate limits out of reach
 * (cheapTestConfig), so hundreds of owners with enrolled, unlocked band doubles take
 * seconds instead of minutes and are not throttled as one address. The processes under
 * test never see these settings: accounts, sessions, bands, cards and terminals are rows
 * in the database, which every process reads alike.
 */
import { defaultProvider } from '../../../shared/crypto/default-provider.ts';
import { CheckoutClient } from '../../../checkout/api/client.ts';
import { createCheckout } from '../../../checkout/checkout.ts';
import { startCheckoutServer } from '../../../checkout/http/server.ts';
import { type Harness, TestClock, cheapTestConfig } from '../../../harness/checkout-harness.ts';

export interface SetupCheckout {
  url: string;
  /** What the fixtures of test/checkout/helpers/fixtures.ts take (they use its client and provider). */
  harness: Harness;
  close(): Promise<void>;
}

export async function startSetupCheckout(db: string): Promise<SetupCheckout> {
  const provider = defaultProvider();
  const checkout = await createCheckout({ db, provider, config: cheapTestConfig, notify: false, sweep: false });
  const server = await startCheckoutServer(checkout, { log: () => undefined });
  const harness = { client: new CheckoutClient(server.url), provider, clock: new TestClock() } as unknown as Harness;
  return {
    url: server.url,
    harness,
    async close() {
      await server.close();
      await checkout.close();
    },
  };
}
