/**
 * A checkout on a real SQLite file (WAL) in a temp dir, with the people a payment needs:
 * owners with enrolled, unlocked bands holding one bank card each (`lanes` of them, one per
 * concurrent HTTP stream so that each card's counters arrive in order), and a merchant with
 * a paired terminal. Then `prepare` makes trades, PAYMENT challenges and the bands' sealed
 * answers up front, through the library, none of it timed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostCryptoProvider } from '../../shared/crypto/host-provider.ts';
import { Checkout, createCheckout } from '../../sim/checkout/checkout.ts';
import { TerminalSigner, createTerminalKey } from '../../sim/checkout/client.ts';
import type { TerminalRow } from '../../sim/checkout/store.ts';
import { BenchBand } from './checkout-band.ts';

export interface PreparedPayment { challengeId: string; challenge: Uint8Array; answer: Uint8Array; outTradeNo: string; amount: number }

export interface BenchCheckout {
  checkout: Checkout;
  dbFile: string;
  terminal: TerminalRow;
  signer: TerminalSigner;
  bands: BenchBand[];
  /** `count` payments for band `lane`, in the order its counters rise. */
  prepare(count: number, lane?: number): Promise<PreparedPayment[]>;
  close(): Promise<void>;
}

const PASSWORD = 'bench password 1';
let seq = 0;

export async function openBenchCheckout(provider: HostCryptoProvider, lanes = 1): Promise<BenchCheckout> {
  const dir = mkdtempSync(join(tmpdir(), 'wristpay-bench-'));
  const dbFile = join(dir, 'checkout.db');
  // Long challenge TTL: answers are prepared well before they are timed. Cheap scrypt: logins
  // happen only in this setup. Nothing in the answer path differs from production.
  const checkout = await createCheckout({ dbFile, provider, notify: false, config: { challengeTtlMs: 3600_000, scryptLog2N: 10 } });
  const bands: BenchBand[] = [];
  for (let i = 0; i < lanes; i++) {
    const username = `bench-owner-${i}`;
    const account = await checkout.register({ username, password: PASSWORD });
    const band = new BenchBand(provider);
    const offer = await checkout.startEnrollment(account.id);
    const view = await checkout.completeEnrollment(account.id, offer.enrollId, band.enroll(offer.message), 'bench band');
    const { challenge } = await checkout.addCard(account.id, view.deviceId, { issuerId: 'icbc' });
    await checkout.answer(challenge.challengeId, band.answerOk(band.open(challenge.message)), null);
    const unlock = await checkout.unlock(band.hello(), username, PASSWORD);
    await checkout.answer(unlock.challengeId, band.answerOk(band.open(unlock.message)), null);
    bands.push(band);
  }
  const merchant = await checkout.register({ username: 'bench-shop', password: PASSWORD, kind: 'merchant', displayName: 'Bench Shop' });
  const code = await checkout.createPairingCode(merchant.id);
  const key = createTerminalKey(provider);
  const view = await checkout.pairTerminal(code.code, key.publicKey, 'till 1');
  const terminal = await checkout.store.merchants.terminal(view.terminalId);
  if (!terminal) throw new Error('bench: terminal vanished');
  const signer = new TerminalSigner(provider, terminal.id, key.scalar);
  const hellos = bands.map((b) => b.hello());

  return {
    checkout, dbFile, terminal, signer, bands,
    async prepare(count, lane = 0) {
      const out: PreparedPayment[] = [];
      for (let i = 0; i < count; i++) {
        const outTradeNo = `bench-${lane}-${++seq}`;
        const amount = 1000 + (seq % 500);
        await checkout.createTrade(terminal, { outTradeNo, amount, currency: 'CNY', subject: 'bench coffee' });
        const ch = await checkout.payWithBand(terminal, outTradeNo, { hello: hellos[lane] });
        out.push({ challengeId: ch.challengeId, challenge: ch.message, answer: bands[lane].pay(bands[lane].open(ch.message)), outTradeNo, amount });
      }
      return out;
    },
    async close() {
      await checkout.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
