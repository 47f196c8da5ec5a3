/**
 * A power cut in the middle of a payment, through the simulator: the relay captures the
 * live CHALLENGE, arms a cut at the n-th flash operation of the band's payment commit (the
 * simulator's injection, `SimBand.powerCutAfter(n)`, with an explicit cut style: nothing
 * written, part of it, or all of it) and relays the challenge. The band resets mid-commit,
 * boots from flash and is reconnected and unlocked. Then:
 *
 *  - the card counter the band reports never went back (it is the old or the new one);
 *  - the trade is retried with a fresh challenge and charged exactly once;
 *  - re-posting the retry's captured ANSWER is REPLAYED;
 *  - the challenge captured before the cut, relayed again to the rebooted band (whose
 *    replay memory died with its RAM), may be signed again, but the checkout refuses it:
 *    one challenge, at most one accepted token; one trade, at most one payment.
 *
 * A flash-operation log (the band's flash object wrapped) tells regular commits (two
 * programs in the live page group) from compactions (the other group written, the old
 * one erased), so the cuts can be aimed at every step of both.
 */
import type { CutStyle } from '../../firmware/testenv/flash-emulator.ts';
import { charge } from '../../bridge/flows/index.ts';
import { BandRefusal } from '../../bridge/relay/refusal.ts';
import { encodeMessage } from '../../shared/messages/clear.ts';
import { CheckoutHttpError } from '../../checkout/api/client.ts';
import { waitUntil, type Fleet, type FleetBand } from '../../harness/load/sim-fleet.ts';
import type { LedgerAudit } from '../../harness/adversarial/ledger-audit.ts';

export interface CutCase {
  step: number;
  style: CutStyle;
  /** The cut hit the payment's commit (and the band reset). */
  reset: boolean;
  /** The commit the cut hit was a compaction. */
  compaction: boolean;
  /**
   * What the checkout said to whatever the band sent before it died: the simulator lets the
   * event that hit the cut finish, so the firmware's sealed STORAGE_CORRUPT gets out (a real
   * MCU would fall silent); 'no answer' when nothing did, 'ACCEPTED' when the cut missed.
   */
  beforeReset: string;
  counterBefore: number;
  counterAfterReboot: number;
  /** Counter of the token that paid the retried trade (-1: not retried). */
  paidCounter: number;
  repost: string;
  oldChallenge: string;
  paymentsForTrade: number;
  /** The simulator's boot-loop guard halted the band and it was rebooted by hand. */
  halted: boolean;
}

export interface FlashOp {
  op: 'program' | 'erase';
  page: number;
}

const HELLO_REQUEST = encodeMessage({ type: 'hello-request' });

/** Logs every program/erase the band's firmware asks of its flash (the cut one included). */
export function logFlashOps(b: FleetBand): FlashOp[] {
  const log: FlashOp[] = [];
  const flash = b.band.hw.flash;
  const program = flash.program.bind(flash);
  const erase = flash.erase.bind(flash);
  flash.program = (page, offset, data) => {
    log.push({ op: 'program', page });
    program(page, offset, data);
  };
  flash.erase = (page) => {
    log.push({ op: 'erase', page });
    erase(page);
  };
  return log;
}

/**
 * A commit is a compaction when it touches the other page group than the live one (`livePage`'s)
 * or erases a page. With the live group unknown (null: nothing programmed since the log began),
 * only an erase tells: a regular commit never erases, a finished compaction always erases the
 * old group, and a compaction cut before its erases is then not counted (so it cannot be
 * aimed at: callers see a payment through first).
 */
export function isCompaction(ops: FlashOp[], livePage: number | null, groupPages: number): boolean {
  const group = (p: number) => Math.floor(p / groupPages);
  return ops.some((o) => o.op === 'erase' || (livePage !== null && group(o.page) !== group(livePage)));
}

/**
 * The page of the last program: the live group's (erases clear the old group after a
 * compaction). Null when the log holds no program yet: which group the band's setup left live
 * (enrollment, provisioning, unlock, before the log began) depends on the sizes of its records,
 * so it is not guessed.
 */
export function livePage(log: FlashOp[]): number | null {
  for (let i = log.length - 1; i >= 0; i--) if (log[i].op === 'program') return log[i].page;
  return null;
}

export function firmwareCounter(b: FleetBand): number {
  const fw = b.band.status().firmwareStatus as { cards?: Array<{ kind: string; counter: number }> } | null;
  return fw?.cards?.find((c) => c.kind === 'bank')?.counter ?? -1;
}

async function refusedAs(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ACCEPTED';
  } catch (e) {
    if (e instanceof CheckoutHttpError) return e.statusName;
    throw e;
  }
}

async function exchange(b: FleetBand, bytes: Uint8Array): Promise<Uint8Array | null> {
  try {
    return (await b.session.exchange(bytes, { timeoutMs: 3000 })).bytes;
  } catch (e) {
    if (e instanceof BandRefusal) return null;
    throw e;
  }
}

let orders = 0;

/** An ordinary payment through the bridge's charge flow (registered with the audit); its flash ops. */
export async function payOnce(b: FleetBand, audit: LedgerAudit, log: FlashOp[]): Promise<FlashOp[]> {
  const orderId = `pc-${++orders}`;
  const amount = 100 + (orders % 50);
  const trade = await b.bridge.terminal.createTrade({
    outTradeNo: orderId,
    amount,
    currency: 'CNY',
    subject: 'power cut',
  });
  audit.expect(trade.tradeNo, { amount, deviceId: b.deviceId });
  const from = log.length;
  const r = await charge(b.bridge.terminal, b.session, { amount, currency: 'CNY', orderId, subject: 'power cut' });
  if (!r.ok) throw new Error(`an ordinary payment failed: ${JSON.stringify(r)}`);
  return log.slice(from);
}

export async function cutDuringPayment(
  f: Fleet,
  b: FleetBand,
  audit: LedgerAudit,
  log: FlashOp[],
  groupPages: number,
  step: number,
  style: CutStyle,
): Promise<CutCase> {
  const terminal = b.bridge.terminal;
  const orderId = `pc-${++orders}`;
  const amount = 100 + (orders % 50);
  const counterBefore = firmwareCounter(b);
  const resetsBefore = b.band.resetCount;
  const live = livePage(log);
  const trade = await terminal.createTrade({ outTradeNo: orderId, amount, currency: 'CNY', subject: 'power cut' });
  audit.expect(trade.tradeNo, { amount, deviceId: b.deviceId });
  const hello = (await b.session.expect(HELLO_REQUEST, 'hello')).bytes;
  const captured = await terminal.payWithBand(orderId, hello);
  const cutsBefore = b.band.hw.flash.stats().cuts;
  const from = log.length;
  b.band.hw.flash.powerCutAfter(step, style);
  const answered = await exchange(b, captured.message);
  b.band.hw.flash.cancelCut();
  const reset = b.band.hw.flash.stats().cuts > cutsBefore;
  const commitOps = log.slice(from, from + step);
  const beforeReset = answered ? await refusedAs(terminal.answer(captured.challengeId, answered)) : 'no answer';
  let halted = false;
  if (reset) {
    await waitUntil('the band to reset', () => b.band.resetCount > resetsBefore, 5000);
    halted = await f.reconnect(b);
    await f.unlock(b);
  }
  const counterAfterReboot = firmwareCounter(b);

  // The relay retries the trade: a fresh challenge, charged once; its answer re-posted.
  let paidCounter = -1;
  let repost = 'not retried';
  if (!(await terminal.queryTrade(orderId)).payment) {
    const fresh = await terminal.payWithBand(orderId, (await b.session.expect(HELLO_REQUEST, 'hello')).bytes);
    const answer = await exchange(b, fresh.message);
    if (!answer) throw new Error('the rebooted band did not answer a fresh challenge');
    const posted = await terminal.answer(fresh.challengeId, answer);
    paidCounter = posted.receipt?.evidence?.counter ?? -1;
    await b.session.send(posted.result);
    repost = await refusedAs(terminal.answer(fresh.challengeId, answer));
  }
  // The challenge captured before the cut, relayed again to the rebooted band.
  const again = await exchange(b, captured.message);
  const oldChallenge = again ? await refusedAs(terminal.answer(captured.challengeId, again)) : 'not signed';
  return {
    step,
    style,
    reset,
    compaction: isCompaction(commitOps, live, groupPages),
    beforeReset,
    counterBefore,
    counterAfterReboot,
    paidCounter,
    repost,
    oldChallenge,
    paymentsForTrade: await audit.payments(trade.tradeNo),
    halted,
  };
}

/**
 * Pays ordinary payments until the next one should compact: finds a compaction, then pays
 * `period − 1` more (the journal's group fills at a steady rate; the caller checks the
 * prediction through CutCase.compaction).
 */
export async function beforeNextCompaction(
  b: FleetBand,
  audit: LedgerAudit,
  log: FlashOp[],
  groupPages: number,
  period: number,
): Promise<void> {
  for (let i = 0; i < 4 * period; i++) {
    const live = livePage(log);
    if (isCompaction(await payOnce(b, audit, log), live, groupPages)) break;
  }
  for (let i = 0; i < period - 1; i++) await payOnce(b, audit, log);
}

/**
 * Payments between two compactions, and the flash operations a compaction takes: three
 * compactions seen, and the two gaps between them must agree (beforeNextCompaction relies on
 * a steady period), as must the compactions' flash operations.
 */
export async function compactionShape(
  b: FleetBand,
  audit: LedgerAudit,
  log: FlashOp[],
  groupPages: number,
): Promise<{ period: number; ops: number }> {
  const seen: number[] = [];
  const ops: number[] = [];
  for (let i = 0; i < 96 && seen.length < 3; i++) {
    const live = livePage(log);
    const mine = await payOnce(b, audit, log);
    if (isCompaction(mine, live, groupPages)) {
      seen.push(i);
      ops.push(mine.length);
    }
  }
  if (seen.length < 3) throw new Error(`${seen.length} compactions seen in 96 payments: is the flash small enough?`);
  const gaps = [seen[1] - seen[0], seen[2] - seen[1]];
  if (gaps[0] !== gaps[1] || ops[0] !== ops[1] || ops[1] !== ops[2]) {
    throw new Error(
      `compactions are not steady: after payments ${seen.join(', ')}, of ${ops.join(', ')} flash operations`,
    );
  }
  return { period: gaps[0], ops: ops[0] };
}
