/**
 * PostgreSQL: the challenges issued to bands, and the answer's one read (store.ts
 * AnswerContext): the challenge with its trade, band, card, payer limits and merchant name
 * in one statement, each table's columns as a JSON object (NULL for a LEFT JOIN that found
 * nothing) so the row mappers of sql/rows.ts read them as they read a table's own rows.
 */
import { Status } from '../../shared/status/codes.ts';
import { BAND_COLUMNS, CARD_COLUMNS, CHALLENGE_COLUMNS, TRADE_COLUMNS, band, card, challenge } from '../sql/rows.ts';
import type { AnswerContext, ChallengeRow, ChallengeStore, Commit, TradeRow } from '../store.ts';
import { type PgDatabase, quoteAliases } from './connect.ts';

const CHALLENGE = quoteAliases(CHALLENGE_COLUMNS);

/** `json_build_object('camelName', alias.column, …)` for one table's column list. */
function jsonOf(alias: string, columns: string): string {
  const pairs = columns.split(',').map((item) => {
    const m = /^\s*(\w+)(?:\s+AS\s+(\w+))?\s*$/.exec(item);
    if (!m) throw new Error(`challenges: cannot read column "${item}"`);
    return `'${m[2] ?? m[1]}', ${alias}.${m[1]}`;
  });
  // The key column first: NULL when the LEFT JOIN found no row.
  const key = /^\s*(\w+)/.exec(columns)?.[1];
  return `CASE WHEN ${alias}.${key} IS NULL THEN NULL ELSE json_build_object(${pairs.join(', ')}) END`;
}

const CONTEXT_SQL = `SELECT ${jsonOf('c', CHALLENGE_COLUMNS)} AS c, ${jsonOf('t', TRADE_COLUMNS)} AS t,
    ${jsonOf('b', BAND_COLUMNS)} AS b, ${jsonOf('k', CARD_COLUMNS)} AS k,
    a.id AS "payerId", a.limit_per_payment AS "limitPerPayment", a.limit_per_day AS "limitPerDay", m.display_name AS "merchantName"
  FROM challenges c
  LEFT JOIN trades t ON t.trade_no = c.trade_no
  LEFT JOIN bands b ON b.device_id = c.device_id
  LEFT JOIN cards k ON k.card_ref = c.card_ref
  LEFT JOIN accounts a ON a.id = b.account_id
  LEFT JOIN accounts m ON m.id = t.merchant_id
  WHERE c.id = $1`;

/** json_build_object renders BYTEA as '\x…' hex text; back to bytes, as the driver gives them. */
function unhex(o: Record<string, unknown> | null, fields: string[]): Record<string, unknown> | undefined {
  if (!o) return undefined;
  for (const f of fields) {
    const v = o[f];
    if (typeof v === 'string' && v.startsWith('\\x')) o[f] = new Uint8Array(Buffer.from(v.slice(2), 'hex'));
  }
  return o;
}

interface ContextRow {
  c: Record<string, unknown>;
  t: Record<string, unknown> | null;
  b: Record<string, unknown> | null;
  k: Record<string, unknown> | null;
  payerId: string | null;
  limitPerPayment: number | null;
  limitPerDay: number | null;
  merchantName: string | null;
}

export class PgChallenges implements ChallengeStore {
  constructor(private readonly db: PgDatabase) {}

  async create(row: ChallengeRow, maxOpen: number): Promise<Commit<ChallengeRow>> {
    // Count and insert in one serializable statement: parallel requests cannot overshoot.
    const r = await this.db.query(
      `INSERT INTO challenges (id, device_id, kind, nonce, expires_at, trade_no, terminal_id, card_ref, express, enc,
        answer_secret, result_secret, created_at, answered_at, outcome, terms)
       SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $17
       WHERE (SELECT COUNT(*) FROM challenges WHERE device_id = $2 AND expires_at > $13 AND answered_at IS NULL) < $16`,
      [
        row.id,
        row.deviceId,
        row.kind,
        row.nonce,
        row.expiresAt,
        row.tradeNo,
        row.terminalId,
        row.cardRef,
        row.express ? 1 : 0,
        row.enc,
        row.answerSecret,
        row.resultSecret,
        row.createdAt,
        row.answeredAt,
        row.outcome,
        maxOpen,
        row.terms ?? null,
      ],
    );
    if (r.rowCount !== 1)
      return {
        ok: false,
        status: Status.QUOTA_EXCEEDED,
        detail: `this band has ${maxOpen} challenges waiting for answers; answer them or wait a minute`,
      };
    return { ok: true, value: row };
  }

  async byId(id: string): Promise<ChallengeRow | undefined> {
    return challenge((await this.db.query(`SELECT ${CHALLENGE} FROM challenges WHERE id = $1`, [id])).rows[0]);
  }

  async withContext(id: string): Promise<AnswerContext | undefined> {
    const r = (await this.db.query<ContextRow & Record<string, unknown>>(CONTEXT_SQL, [id])).rows[0];
    if (!r) return undefined;
    return {
      challenge: challenge(unhex(r.c, ['nonce', 'enc', 'answerSecret', 'resultSecret'])) as ChallengeRow,
      trade: (r.t ?? undefined) as TradeRow | undefined,
      band: band(unhex(r.b, ['signingKey', 'hpkeKey'])),
      card: card(r.k ?? undefined),
      payer:
        r.payerId === null
          ? undefined
          : {
              accountId: r.payerId,
              limitPerPayment: Number(r.limitPerPayment),
              limitPerDay: Number(r.limitPerDay),
            },
      merchantName: r.merchantName ?? undefined,
    };
  }

  async markAnswered(id: string, outcome: number, now: number): Promise<boolean> {
    const r = await this.db.query(
      'UPDATE challenges SET answered_at = $3, outcome = $2 WHERE id = $1 AND answered_at IS NULL',
      [id, outcome, now],
    );
    return r.rowCount === 1;
  }
}
