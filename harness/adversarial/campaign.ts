/**
 * The hostile relay's campaign: every attack of attacks.ts and mutations.ts on every
 * message of a payment (HELLO, CHALLENGE, ANSWER, RESULT), one case at a time, each
 * followed by an audit of the ledger. A case ends in a verdict (verdict.ts).
 */
import type { RelayWorld } from './relay-world.ts';
import type { CaseOutcome, Verdict } from './verdict.ts';

export const MESSAGES = ['HELLO', 'CHALLENGE', 'ANSWER', 'RESULT'] as const;
export type Msg = (typeof MESSAGES)[number];

export const ATTACKS = [
  'flip 0x01',
  'flip 0xFF',
  'truncate',
  'drop',
  'duplicate',
  'reorder',
  'replay',
  'swap bands',
  'delay past expiry',
] as const;
export type Attack = (typeof ATTACKS)[number];

export interface Cell {
  tried: number;
  refused: number;
  absorbed: number;
  accepted: number;
}

export interface CampaignOptions {
  /** Flip every `flipStride`-th byte (1 = every position, the default). */
  flipStride?: number;
  /** Names the bands behind the relay in the report ("in-process firmware", "simulated (QuickJS)"). */
  label?: string;
}

export interface CampaignResult {
  label: string;
  cells: Record<Msg, Record<Attack, Cell>>;
  /** Per message: how often each status refused a case. */
  reasons: Record<Msg, Record<string, number>>;
  /** Sizes (bytes) of the honest messages the mutations started from. */
  sizes: Record<Msg, number>;
  /** Every case that was accepted, threw, or left the ledger wrong (must be empty). */
  problems: string[];
  cases: number;
  elapsedMs: number;
  ledger: { payments: number; amount: number };
  flipStride: number;
}

export class Campaign {
  readonly cells = {} as Record<Msg, Record<Attack, Cell>>;
  readonly sizes = { HELLO: 0, CHALLENGE: 0, ANSWER: 0, RESULT: 0 } as Record<Msg, number>;
  readonly reasons = { HELLO: {}, CHALLENGE: {}, ANSWER: {}, RESULT: {} } as Record<Msg, Record<string, number>>;
  readonly problems: string[] = [];
  readonly flipStride: number;
  private cases = 0;

  constructor(
    readonly w: RelayWorld,
    readonly opts: CampaignOptions = {},
  ) {
    this.flipStride = Math.max(1, opts.flipStride ?? 1);
    for (const m of MESSAGES) {
      this.cells[m] = {} as Record<Attack, Cell>;
      for (const a of ATTACKS) this.cells[m][a] = { tried: 0, refused: 0, absorbed: 0, accepted: 0 };
    }
  }

  /** One case: the bands' clocks synced, the attack run, the ledger audited. */
  async run(msg: Msg, attack: Attack, what: string, fn: () => Promise<CaseOutcome>): Promise<void> {
    this.w.sync();
    const label = `${msg} × ${attack}: ${what}`;
    let verdict: Verdict;
    try {
      const out = await fn();
      verdict = typeof out === 'string' ? out : out.verdict;
      if (typeof out !== 'string') this.reasons[msg][out.why] = (this.reasons[msg][out.why] ?? 0) + 1;
    } catch (e) {
      this.problems.push(`${label}: threw ${e instanceof Error ? e.message : String(e)}`);
      verdict = 'refused';
    }
    const wrong = await this.w.audit.problems();
    if (wrong.length > 0) {
      verdict = 'accepted';
      this.problems.push(`${label}: ${wrong.join('; ')}`);
    } else if (verdict === 'accepted')
      this.problems.push(`${label}: accepted with an outcome that differs from the honest one`);
    const cell = this.cells[msg][attack];
    cell.tried++;
    cell[verdict]++;
    this.cases++;
  }

  async result(startedAt: number): Promise<CampaignResult> {
    return {
      label: this.opts.label ?? 'in-process',
      cells: this.cells,
      reasons: this.reasons,
      sizes: this.sizes,
      problems: this.problems,
      cases: this.cases,
      elapsedMs: Math.round(performance.now() - startedAt),
      ledger: await this.w.audit.totals(),
      flipStride: this.flipStride,
    };
  }
}

/** Sums a result's cells over messages and attacks. */
export function totals(r: CampaignResult): Cell {
  const t: Cell = { tried: 0, refused: 0, absorbed: 0, accepted: 0 };
  for (const m of MESSAGES)
    for (const a of ATTACKS)
      for (const k of ['tried', 'refused', 'absorbed', 'accepted'] as const) t[k] += r.cells[m][a][k];
  return t;
}
