/**
 * A checkout on a real SQLite file (WAL) in a temp dir, with the people a payment needs:
 * `lanes` owners with enrolled, unlocked bands holding one bank card each, and a merchant
 * with a paired terminal per lane (a lane is one till with one payer at it, so each card's
 * counters arrive in order). Then `prepare` makes trades, PAYMENT challenges and the bands'
 * sealed answers up front, through the library, none of it timed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostCryptoProvider } from '../../shared/crypto/host-provider.ts';
import { type Checkout, createCheckout } from '../../checkout/checkout.ts';
import { TerminalSigner, createTerminalKey } from '../../checkout/api/client.ts';
import type { TerminalRow } from '../../checkout/store.ts';
import { BenchBand } from './checkout-band.ts';

export interface PreparedPayment {
  lane: number;
  challengeId: string;
  challenge: Uint8Array;
  answer: Uint8Array;
  outTradeNo: string;
  amount: number;
}

export interface BenchCheckout {
  checkout: Checkout;
  dbFile: string;
  /** Lane 0's terminal and its request signer. */
  terminal: TerminalRow;
  signer: TerminalSigner;
  /** One per lane. */
  terminals: TerminalRow[];
  signers: TerminalSigner[];
  bands: BenchBand[];
  /** Each lane's band's hello (worn, unlocked), as its till would post it with every payment. */
  hellos: Uint8Array[];
  /** A fresh order number and amount for a trade of `lane`. */
  nextTrade(lane: number): { outTradeNo: string; amount: number };
  /** `count` payments for band `lane`, in the order its counters rise. */
  prepare(count: number, lane?: number): Promise<PreparedPayment[]>;
  /** `perLane` payments for each of the first `count` lanes (all by default), issued in turn (lane 0, 1, …, 0, 1, …) as concurrent tills would. */
  prepareLanes(perLane: number, count?: number): Promise<PreparedPayment[][]>;
  close(): Promise<void>;
}

const PASSWORD = 'bench password 1';
let seq = 0;

/**
 * `prepared` (the default): for answers prepared well before they are timed, with a long challenge
 * TTL and no caps on the open trades and challenges that builds up. Without it, the production
 * TTL and caps, for whole payments (checkout-payment.ts): a long TTL would leave every challenge
 * of the run in the window a new challenge counts its band's open ones in. Either way scrypt is
 * cheap (logins happen only in this setup) and nothing in the timed path differs from production.
 */
export async function openBenchCheckout(
  provider: HostCryptoProvider,
  lanes = 1,
  prepared = true,
): Promise<BenchCheckout> {
  const dir = mkdtempSync(join(tmpdir(), 'wristpay-bench-'));
  const dbFile = join(dir, 'checkout.db');
  const checkout = await createCheckout({
    db: dbFile,
    provider,
    notify: false,
    config: prepared
      ? { challengeTtlMs: 3600_000, scryptLog2N: 10, maxOpenTradesPerTerminal: 1e9, maxOpenChallengesPerBand: 1e9 }
      : { scryptLog2N: 10 },
  });
  const bands: BenchBand[] = [];
  for (let i = 0; i < lanes; i++) {
    const username = `bench-owner-${i}`;
    const account = await checkout.register({ username, password: PASSWORD });
    const band = new BenchBand(provider);
    const offer = await checkout.startEnrollment(account.id);
    const view = await checkout.completeEnrollment(
      account.id,
      offer.enrollId,
      band.enroll(offer.message),
      'bench band',
    );
    const { challenge } = await checkout.addCard(account.id, view.deviceId, { issuerId: 'icbc' });
    await checkout.answer(challenge.challengeId, band.answerOk(band.open(challenge.message)), null);
    const unlock = await checkout.unlock(band.hello(), username, PASSWORD);
    await checkout.answer(unlock.challengeId, band.answerOk(band.open(unlock.message)), null);
    bands.push(band);
  }
  const merchant = await checkout.register({
    username: 'bench-shop',
    password: PASSWORD,
    kind: 'merchant',
    displayName: 'Bench Shop',
  });
  const terminals: TerminalRow[] = [];
  const signers: TerminalSigner[] = [];
  for (let i = 0; i < lanes; i++) {
    const code = await checkout.createPairingCode(merchant.id);
    const key = createTerminalKey(provider);
    const view = await checkout.pairTerminal(code.code, key.publicKey, `till ${i + 1}`);
    const terminal = await checkout.store.merchants.terminal(view.terminalId);
    if (!terminal) throw new Error('bench: terminal vanished');
    terminals.push(terminal);
    signers.push(new TerminalSigner(provider, terminal.id, key.scalar));
  }
  const hellos = bands.map((b) => b.hello());
  const nextTrade = (lane: number) => {
    seq += 1;
    return { outTradeNo: `bench-${lane}-${seq}`, amount: 1000 + (seq % 500) };
  };

  const prepare = async (count: number, lane = 0): Promise<PreparedPayment[]> => {
    const out: PreparedPayment[] = [];
    const terminal = terminals[lane];
    for (let i = 0; i < count; i++) {
      const { outTradeNo, amount } = nextTrade(lane);
      await checkout.createTrade(terminal, { outTradeNo, amount, currency: 'CNY', subject: 'bench coffee' });
      const ch = await checkout.payWithBand(terminal, outTradeNo, { hello: hellos[lane] });
      out.push({
        lane,
        challengeId: ch.challengeId,
        challenge: ch.message,
        answer: bands[lane].pay(bands[lane].open(ch.message)),
        outTradeNo,
        amount,
      });
    }
    return out;
  };

  return {
    checkout,
    dbFile,
    terminal: terminals[0],
    signer: signers[0],
    terminals,
    signers,
    bands,
    hellos,
    nextTrade,
    prepare,
    async prepareLanes(perLane, count = lanes) {
      const out: PreparedPayment[][] = terminals.slice(0, count).map(() => []);
      for (let i = 0; i < perLane; i++) {
        for (let lane = 0; lane < count; lane++) out[lane].push(...(await prepare(1, lane)));
      }
      return out;
    },
    async close() {
      await checkout.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
