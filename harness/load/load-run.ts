/**
 * Load: N simulated bands (QuickJS, sim/band, 16 per simulator) each paying M times through
 * the bridge's own charge flow (BandSession over noble's websocket bindings), all bands at
 * once, through one checkout (HTTP, SQLite) and several bridges (two per simulator, each a
 * noble instance holding its bands' links and a paired terminal). Then the ledger is read
 * straight from the checkout's SQLite file and held to:
 *
 *  - 0 lost rows (every approved charge has its payment row) and 0 phantom rows (no row
 *    for a trade the bridge did not see approved);
 *  - 0 duplicates (per trade, per challenge, per card counter);
 *  - every card's counters strictly increasing in the order the rows were recorded, the
 *    last equal to the band's own counter, and each band's receipts' counters increasing;
 *  - ledger total = sum of the approved trades = sum of the paid trades' amounts.
 */
import { charge } from '../../bridge/flows/index.ts';
import { startFleet, type FleetBand } from './sim-fleet.ts';

export interface LoadOptions {
  bands: number;
  payments: number;
  /** Link model (default: no delay, so the checkout and the bands are what is loaded). */
  link?: string;
  bridgesPerSim?: number;
}

export interface LoadResult {
  bands: number;
  paymentsPerBand: number;
  simulators: number;
  bridges: number;
  approved: number;
  /** Refusals by name (none expected). */
  refused: Record<string, number>;
  setupMs: number;
  elapsedMs: number;
  paymentsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  ledger: {
    rows: number;
    lost: number;
    phantom: number;
    duplicates: number;
    counterViolations: number;
    total: number;
    approvedTotal: number;
    paidTradesTotal: number;
  };
  problems: string[];
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

interface Approved {
  outTradeNo: string;
  amount: number;
  counter: number;
}

async function payAll(
  b: FleetBand,
  m: number,
  approved: Approved[],
  refused: Record<string, number>,
  latencies: number[],
): Promise<void> {
  for (let i = 0; i < m; i++) {
    const outTradeNo = `load-${b.index}-${i}`;
    const amount = 100 + ((b.index * 31 + i * 17) % 900); // 1.00 .. 9.99: 20 a day stay under 500.00
    const t0 = performance.now();
    const r = await charge(b.bridge.terminal, b.session, {
      amount,
      currency: 'CNY',
      orderId: outTradeNo,
      subject: 'load',
    });
    latencies.push(performance.now() - t0);
    if (r.ok) approved.push({ outTradeNo, amount, counter: r.receipt.evidence?.counter ?? -1 });
    else {
      const name = r.outcome === 'password-needed' ? r.reason.name : r.refusal.name;
      refused[name] = (refused[name] ?? 0) + 1;
    }
  }
}

export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const t0 = performance.now();
  const fleet = await startFleet({ bands: opts.bands, link: opts.link, bridgesPerSim: opts.bridgesPerSim });
  try {
    const setupMs = performance.now() - t0;
    const perBand = fleet.bands.map(() => [] as Approved[]);
    const refused: Record<string, number> = {};
    const latencies: number[] = [];
    const t1 = performance.now();
    await Promise.all(fleet.bands.map((b) => payAll(b, opts.payments, perBand[b.index], refused, latencies)));
    const elapsedMs = performance.now() - t1;
    const problems: string[] = [];
    const approved = perBand.flat();

    const store = fleet.h.checkout.store;
    const rows = (await store.audit.payments()).map((p) => ({
      card_ref: p.cardRef as string,
      counter: p.counter as number,
      amount: p.amount,
      challenge_id: p.challengeId as string,
      out_trade_no: p.outTradeNo,
    }));
    const byTrade = new Map<string, number>();
    for (const r of rows) byTrade.set(r.out_trade_no, (byTrade.get(r.out_trade_no) ?? 0) + 1);
    const approvedSet = new Set(approved.map((a) => a.outTradeNo));
    const lost = approved.filter((a) => !byTrade.has(a.outTradeNo)).length;
    const phantom = rows.filter((r) => !approvedSet.has(r.out_trade_no)).length;
    const dupTrades = [...byTrade.values()].filter((n) => n > 1).length;
    const dupChallenges = rows.length - new Set(rows.map((r) => r.challenge_id)).size;
    const dupCounters = rows.length - new Set(rows.map((r) => `${r.card_ref}/${r.counter}`)).size;
    let counterViolations = 0;
    const last = new Map<string, number>();
    for (const r of rows) {
      const prev = last.get(r.card_ref);
      if (prev !== undefined && r.counter <= prev) counterViolations++;
      last.set(r.card_ref, r.counter);
    }
    for (const b of fleet.bands) {
      const cs = perBand[b.index].map((a) => a.counter);
      for (let i = 1; i < cs.length; i++) if (cs[i] <= cs[i - 1]) counterViolations++;
      const fw = b.band.status().firmwareStatus as { cards?: Array<{ cardRef: string; counter: number }> } | null;
      const bandCounter = fw?.cards?.find((c) => c.cardRef === b.cardRef)?.counter;
      if (last.has(b.cardRef) && bandCounter !== last.get(b.cardRef))
        problems.push(`band ${b.index}: counter ${bandCounter}, ledger's last ${last.get(b.cardRef)}`);
    }
    const total = rows.reduce((s, r) => s + r.amount, 0);
    const approvedTotal = approved.reduce((s, a) => s + a.amount, 0);
    const paidTradesTotal = await store.audit.paidTradesTotal();
    const ledger = {
      rows: rows.length,
      lost,
      phantom,
      duplicates: dupTrades + dupChallenges + dupCounters,
      counterViolations,
      total,
      approvedTotal,
      paidTradesTotal,
    };
    if (lost || phantom || ledger.duplicates || counterViolations) problems.push(`ledger: ${JSON.stringify(ledger)}`);
    if (total !== approvedTotal || total !== paidTradesTotal)
      problems.push(`ledger total ${total} ≠ approved ${approvedTotal} / paid trades ${paidTradesTotal}`);
    latencies.sort((a, b) => a - b);
    return {
      bands: opts.bands,
      paymentsPerBand: opts.payments,
      simulators: fleet.sims.length,
      bridges: fleet.bridges.length,
      approved: approved.length,
      refused,
      setupMs: Math.round(setupMs),
      elapsedMs: Math.round(elapsedMs),
      paymentsPerSecond: Math.round((approved.length / elapsedMs) * 1000 * 10) / 10,
      p50Ms: Math.round(percentile(latencies, 50)),
      p99Ms: Math.round(percentile(latencies, 99)),
      ledger,
      problems,
    };
  } finally {
    await fleet.close();
  }
}
