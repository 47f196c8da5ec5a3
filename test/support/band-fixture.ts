/** Common firmware-test flows on top of BandDriver + CheckoutDouble. */
import { BandConfig } from '../../firmware/config.ts';
import { TestEnvOptions } from '../../firmware/testenv/test-env.ts';
import { AnswerBody, BankCard, Card, ChallengeBody, PaymentChallenge, TransitCard } from '../../shared/messages/bodies.ts';
import { BandDriver } from './band-driver.ts';
import { CheckoutDouble, EnrolledBand, IssuedChallenge } from './checkout-double.ts';

export const bankCard: BankCard = { kind: 'bank', cardRef: 'tok_bank_1', issuer: 'ICBC', last4: '4321', isDefault: true, currency: 'CNY' };
export const transitCard: TransitCard = {
  kind: 'transit', cardRef: 'tok_transit_1', issuer: 'Shanghai Metro', last4: '0007', city: 'Shanghai', balance: 5000, fareCap: 1500, currency: 'CNY',
};

export class BandFixture {
  readonly driver: BandDriver;
  readonly checkout = new CheckoutDouble();
  identity!: EnrolledBand;
  lastChallenge: IssuedChallenge | null = null;

  constructor(opts: TestEnvOptions & { config?: Partial<BandConfig> } = {}, mtu = 185) {
    this.driver = new BandDriver(opts, mtu);
  }

  static enrolled(opts: TestEnvOptions & { config?: Partial<BandConfig> } = {}, mtu = 185): BandFixture {
    const f = new BandFixture(opts, mtu);
    f.enroll();
    return f;
  }

  get env() {
    return this.driver.env;
  }

  get band() {
    return this.driver.band;
  }

  status() {
    return this.driver.status();
  }

  now(): number {
    return this.env.clock.wallMs();
  }

  enroll(): void {
    const enroll = this.checkout.enrollMessage();
    this.driver.send(enroll);
    this.identity = this.checkout.acceptEnrolled(enroll, this.driver.expect('enrolled'));
  }

  hello() {
    this.driver.send({ type: 'hello-request' });
    return this.checkout.openHello(this.driver.expect('hello'));
  }

  common(): { deviceId: Uint8Array; nonce: Uint8Array; expiry: number } {
    return { deviceId: this.identity.deviceId, nonce: this.checkout.nonce(), expiry: this.now() + 60000 };
  }

  /** Sends a challenge and returns the issued challenge (the answer is read separately). */
  sendChallenge(body: ChallengeBody): IssuedChallenge {
    const c = this.checkout.challenge(this.identity, body);
    this.lastChallenge = c;
    this.driver.send(c.message);
    return c;
  }

  /** Sends a challenge and opens the band's sealed answer. */
  exchange(body: ChallengeBody): AnswerBody {
    const c = this.sendChallenge(body);
    return this.checkout.openAnswer(c, this.driver.expect('answer'));
  }

  provision(card: Card): AnswerBody {
    return this.exchange({ kind: 'provision', ...this.common(), card });
  }

  unlock(limits = { perPayment: 20000, perDay: 50000 }): AnswerBody {
    const hello = this.hello();
    if (!hello.unlockNonce) throw new Error('band is not worn: no unlock nonce in its hello');
    return this.exchange({
      kind: 'unlock', ...this.common(), bandNonce: hello.unlockNonce, sessionMaxAgeMs: 24 * 3600 * 1000,
      limitPerPayment: limits.perPayment, limitPerDay: limits.perDay,
    });
  }

  payment(amount: number, extra: Partial<PaymentChallenge> = {}): PaymentChallenge {
    return {
      kind: 'payment', ...this.common(), amount, currency: 'CNY', merchantId: 'm_1', merchantName: 'Tea House',
      terminalId: 't_1', orderId: 'order-' + Math.random().toString(36).slice(2), express: false, ...extra,
    };
  }

  pay(amount: number, extra: Partial<PaymentChallenge> = {}): AnswerBody {
    return this.exchange(this.payment(amount, extra));
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
