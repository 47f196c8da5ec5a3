/**
 * SQLite: the challenges issued to bands, and the one read an answer starts with
 * (store.ts AnswerContext): the challenge joined with its trade, band, card, the band
 * owner's limits and the merchant's name. One statement, so one snapshot, and one trip
 * through better-sqlite3 instead of six (each trip cost more than the lookup it made).
 */
import { Status } from '../../shared/status/codes.ts';
import type { AnswerContext, ChallengeRow, ChallengeStore, Commit, TradeRow } from '../store.ts';
import { BAND_COLUMNS, CARD_COLUMNS, CHALLENGE_COLUMNS, TRADE_COLUMNS, band, card, challenge } from '../sql/rows.ts';
import type { GroupCommit } from './group-commit.ts';
import type { Db } from './open.ts';

/**
 * One table's part of the joined read: its store's own column list, prefixed with the
 * table's alias, and where its values sit in the raw row. Built from the stores' lists so
 * the joined read maps through the same row functions, and a column added there is read
 * here too.
 */
interface Part {
  select: string;
  names: string[];
  at: number;
}

function part(alias: string, columns: string, at: number): Part {
  const select: string[] = [];
  const names: string[] = [];
  for (const item of columns.split(',')) {
    const m = /^\s*(\w+)(?:\s+AS\s+(\w+))?\s*$/.exec(item);
    if (!m) throw new Error(`challenges: cannot read column "${item}"`);
    select.push(`${alias}.${m[1]}`);
    names.push(m[2] ?? m[1]);
  }
  return { select: select.join(', '), names, at };
}

/** The part's columns as an object; undefined when its LEFT JOIN found nothing (its key, the first column, is NULL). */
function rowOf(raw: unknown[], p: Part): Record<string, unknown> | undefined {
  if (raw[p.at] === null) return undefined;
  const out: Record<string, unknown> = {};
  for (let i = 0; i < p.names.length; i++) out[p.names[i]] = raw[p.at + i];
  return out;
}

const C = part('c', CHALLENGE_COLUMNS, 0);
const T = part('t', TRADE_COLUMNS, C.at + C.names.length);
const B = part('b', BAND_COLUMNS, T.at + T.names.length);
const K = part('k', CARD_COLUMNS, B.at + B.names.length);
const PAYER = K.at + K.names.length; // payer id, limit per payment, limit per day, then the merchant's name

const CONTEXT_SQL = `SELECT ${C.select}, ${T.select}, ${B.select}, ${K.select},
    a.id, a.limit_per_payment, a.limit_per_day, m.display_name
  FROM challenges c
  LEFT JOIN trades t ON t.trade_no = c.trade_no
  LEFT JOIN bands b ON b.device_id = c.device_id
  LEFT JOIN cards k ON k.card_ref = c.card_ref
  LEFT JOIN accounts a ON a.id = b.account_id
  LEFT JOIN accounts m ON m.id = t.merchant_id
  WHERE c.id = ?`;

export class SqliteChallenges implements ChallengeStore {
  constructor(
    private readonly db: Db,
    private readonly group: GroupCommit,
  ) {}

  async create(row: ChallengeRow, maxOpen: number): Promise<Commit<ChallengeRow>> {
    // The count and the insert are one statement, so parallel requests cannot overshoot. It
    // shares the commit of this turn's payments and trades (group-commit.ts): one fsync for all.
    const changes = await this.group.run(
      () =>
        this.db
          .prepare(`INSERT INTO challenges (id, device_id, kind, nonce, expires_at, trade_no, terminal_id, card_ref, express, enc,
        answer_secret, result_secret, created_at, answered_at, outcome, terms)
        SELECT @id, @deviceId, @kind, @nonce, @expiresAt, @tradeNo, @terminalId, @cardRef, @express, @enc,
        @answerSecret, @resultSecret, @createdAt, @answeredAt, @outcome, @terms
        WHERE (SELECT COUNT(*) FROM challenges WHERE device_id = @deviceId AND expires_at > @createdAt AND answered_at IS NULL) < @maxOpen`)
          .run({ ...row, express: row.express ? 1 : 0, terms: row.terms ?? null, maxOpen }).changes,
      false,
    );
    if (changes !== 1)
      return {
        ok: false,
        status: Status.QUOTA_EXCEEDED,
        detail: `this band has ${maxOpen} challenges waiting for answers; answer them or wait a minute`,
      };
    return { ok: true, value: row };
  }

  async byId(id: string): Promise<ChallengeRow | undefined> {
    return challenge(this.db.prepare(`SELECT ${CHALLENGE_COLUMNS} FROM challenges WHERE id = ?`).get(id));
  }

  async withContext(id: string): Promise<AnswerContext | undefined> {
    // Raw (an array per row): 60-odd named columns made a slow dictionary object. The SQL
    // text is this method's own, so the mode set on the shared statement affects no one else.
    const raw = this.db.prepare(CONTEXT_SQL).raw(true).get(id) as unknown[] | undefined;
    if (!raw) return undefined;
    const payerId = raw[PAYER] as string | null;
    return {
      challenge: challenge(rowOf(raw, C)) as ChallengeRow,
      trade: rowOf(raw, T) as TradeRow | undefined,
      band: band(rowOf(raw, B)),
      card: card(rowOf(raw, K)),
      payer:
        payerId === null
          ? undefined
          : { accountId: payerId, limitPerPayment: raw[PAYER + 1] as number, limitPerDay: raw[PAYER + 2] as number },
      merchantName: (raw[PAYER + 3] as string | null) ?? undefined,
    };
  }

  async markAnswered(id: string, outcome: number, now: number): Promise<boolean> {
    const r = this.db
      .prepare('UPDATE challenges SET answered_at = ?, outcome = ? WHERE id = ? AND answered_at IS NULL')
      .run(now, outcome, id);
    return r.changes === 1;
  }
}
