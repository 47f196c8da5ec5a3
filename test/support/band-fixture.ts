/** Common firmware-test flows (./band-flows.ts) on the in-process band (BandDriver) and the host CheckoutDouble. */
import type { BandConfig } from '../../firmware/config.ts';
import type { TestEnvOptions } from '../../firmware/testenv/test-env.ts';
import { BandDriver } from '../../harness/band/band-driver.ts';
import { BandFlows, bankCard, transitCard } from '../../harness/band/band-flows.ts';
import { CheckoutDouble } from '../../harness/band/checkout-double.ts';

export { bankCard, transitCard };

export class BandFixture extends BandFlows<BandDriver, CheckoutDouble> {
  constructor(opts: TestEnvOptions & { config?: Partial<BandConfig> } = {}, mtu = 185) {
    super(new BandDriver(opts, mtu), new CheckoutDouble());
  }

  static enrolled(opts: TestEnvOptions & { config?: Partial<BandConfig> } = {}, mtu = 185): BandFixture {
    const f = new BandFixture(opts, mtu);
    f.enroll();
    return f;
  }

  get driver(): BandDriver {
    return this.port;
  }

  get env() {
    return this.port.env;
  }

  get band() {
    return this.port.band;
  }

  status() {
    return this.port.status();
  }

  /** Worn, unlocked, with a bank and a transit card. */
  static ready(opts: TestEnvOptions & { config?: Partial<BandConfig> } = {}): BandFixture {
    const f = BandFixture.enrolled(opts);
    f.provision(bankCard);
    f.provision(transitCard);
    f.driver.putOn();
    f.unlock();
    return f;
  }
}
