/**
 * The checkout's flows against one band: enroll, hello, provision, unlock, pay, over any
 * link to the band (in-process, the image in QuickJS, the image in Duktape) and any
 * checkout double (host crypto or Duktape stand-ins). Pure protocol code, so the same
 * flows bundle into the ES5 scenario that runs inside `duk`.
 */
import { toHex } from '../../shared/crypto/bytes.ts';
import type {
  AnswerBody,
  BankCard,
  Card,
  ChallengeBody,
  PaymentChallenge,
  TransitCard,
} from '../../shared/messages/bodies.ts';
import type { Message } from '../../shared/messages/clear.ts';
import type { CheckoutCore, EnrolledBand, IssuedChallenge } from './checkout-core.ts';
import type { MessageOf, Received } from './frame-link.ts';

export const bankCard: BankCard = {
  kind: 'bank',
  cardRef: 'tok_bank_1',
  issuer: 'ICBC',
  last4: '4321',
  isDefault: true,
  currency: 'CNY',
};
export const transitCard: TransitCard = {
  kind: 'transit',
  cardRef: 'tok_transit_1',
  issuer: 'Shanghai Metro',
  last4: '0007',
  city: 'Shanghai',
  balance: 5000,
  fareCap: 1500,
  currency: 'CNY',
};

/** What the flows need of a band: a frame link and the band's wall clock. */
export interface BandPort {
  send(m: Message): void;
  expect<T extends Message['type']>(type: T): MessageOf<T>;
  received(): Received[];
  /** The band's wall-clock ms (challenge expiry, in seconds, is relative to it). */
  now(): number;
}

export interface Limits {
  perPayment: number;
  perDay: number;
}

export class BandFlows<P extends BandPort, C extends CheckoutCore> {
  identity!: EnrolledBand;
  lastChallenge: IssuedChallenge | null = null;
  private orders = 0;

  constructor(
    readonly port: P,
    readonly checkout: C,
  ) {}

  now(): number {
    return this.port.now();
  }

  enroll(): void {
    const enroll = this.checkout.enrollMessage();
    this.port.send(enroll);
    this.identity = this.checkout.acceptEnrolled(enroll, this.port.expect('enrolled'));
  }

  hello() {
    this.port.send({ type: 'hello-request' });
    return this.checkout.openHello(this.port.expect('hello'));
  }

  /** A challenge expiry (wall-clock seconds) `seconds` from the band's now. */
  expiryIn(seconds: number): number {
    return Math.floor(this.now() / 1000) + seconds;
  }

  common(): { deviceId: Uint8Array; nonce: Uint8Array; expiry: number } {
    return { deviceId: this.identity.deviceId, nonce: this.checkout.nonce(), expiry: this.expiryIn(60) };
  }

  /** Sends a challenge and returns the issued challenge (the answer is read separately). */
  sendChallenge(body: ChallengeBody): IssuedChallenge {
    const c = this.checkout.challenge(this.identity, body);
    this.lastChallenge = c;
    this.port.send(c.message);
    return c;
  }

  /** Sends a challenge and opens the band's sealed answer. */
  exchange(body: ChallengeBody): AnswerBody {
    const c = this.sendChallenge(body);
    return this.checkout.openAnswer(c, this.port.expect('answer'));
  }

  provision(card: Card): AnswerBody {
    return this.exchange({
      kind: 'provision',
      deviceId: this.identity.deviceId,
      nonce: this.checkout.nonce(),
      expiry: this.expiryIn(60),
      card,
    });
  }

  unlock(limits: Limits = { perPayment: 20000, perDay: 50000 }): AnswerBody {
    const hello = this.hello();
    if (!hello.unlockNonce) throw new Error('band is not worn-locked: no unlock nonce in its hello');
    const c = this.common();
    return this.exchange({
      kind: 'unlock',
      deviceId: c.deviceId,
      nonce: c.nonce,
      expiry: c.expiry,
      bandNonce: hello.unlockNonce,
      sessionMaxAgeMs: 24 * 3600 * 1000,
      limitPerPayment: limits.perPayment,
      limitPerDay: limits.perDay,
    });
  }

  payment(amount: number, extra: Partial<PaymentChallenge> = {}): PaymentChallenge {
    const c = this.common();
    const p: PaymentChallenge = {
      kind: 'payment',
      deviceId: c.deviceId,
      nonce: c.nonce,
      expiry: c.expiry,
      amount,
      currency: 'CNY',
      merchantId: 'm_1',
      merchantName: 'Tea House',
      terminalId: 't_1',
      orderId: this.orderId(),
      express: false,
    };
    const keys = Object.keys(extra) as Array<keyof PaymentChallenge>;
    for (let i = 0; i < keys.length; i++) (p as unknown as Record<string, unknown>)[keys[i]] = extra[keys[i]];
    return p;
  }

  /** Unique, and always the same length: a band that keeps the last order id then keeps the same bytes. */
  orderId(): string {
    const n = String(++this.orders);
    return 'order-' + '000000'.substring(n.length) + n + '-' + toHex(this.checkout.provider.randomBytes(4));
  }

  pay(amount: number, extra: Partial<PaymentChallenge> = {}): AnswerBody {
    return this.exchange(this.payment(amount, extra));
  }
}
