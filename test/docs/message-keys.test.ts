/**
 * docs/PROTOCOL.md names every message key the code names (shared/messages/keys.ts, and the
 * token's `Claim`), with the same number, and no other: the tables in the doc and in the
 * code cannot drift apart.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Claim } from '../../shared/cose/token.ts';
import * as Keys from '../../shared/messages/keys.ts';

const doc = readFileSync(new URL('../../docs/PROTOCOL.md', import.meta.url), 'utf8');

type KeyTable = Readonly<Record<string, number>>;

/** The clear-text messages' tables, by the message name the doc's first column uses. */
const clearTables: Record<string, KeyTable> = {
  INFO: Keys.InfoMessageKey,
  HELLO: Keys.HelloMessageKey,
  ENROLL: Keys.EnrollMessageKey,
  ENROLLED: Keys.EnrolledMessageKey,
  CHALLENGE: Keys.ChallengeMessageKey,
  ANSWER: Keys.AnswerMessageKey,
  RESULT: Keys.ResultMessageKey,
  KEEPALIVE: Keys.KeepaliveMessageKey,
  ERROR: Keys.ErrorMessageKey,
};

/** The tables the doc gives a `| key | name | …` table of their own, after naming them as (`Name`). */
const ownTables: Record<string, KeyTable> = {
  HelloBodyKey: Keys.HelloBodyKey,
  ChallengeBodyKey: Keys.ChallengeBodyKey,
  CardKey: Keys.CardKey,
  AnswerBodyKey: Keys.AnswerBodyKey,
  Claim,
};

const cells = (line: string) =>
  line
    .split('|')
    .slice(1, -1)
    .map((c) => c.trim());
const unquote = (name: string) => name.replace(/^`|`$/g, '');

/** The rows of the first markdown table whose header starts with `header`, after `from`. */
function rowsOf(header: string, from = 0): string[][] {
  const lines = doc.slice(from).split('\n');
  const start = lines.findIndex((l) => l.startsWith(header));
  expect(start, `a table headed "${header}" in docs/PROTOCOL.md`).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(cells(line));
  }
  return rows;
}

function asEntries(table: KeyTable): Array<[string, number]> {
  return Object.entries(table).sort((a, b) => a[1] - b[1]);
}

describe('message key tables', () => {
  it('give each number one name within a table', () => {
    for (const table of [...Object.values(clearTables), ...Object.values(ownTables), Keys.ResultBodyKey]) {
      const numbers = Object.values(table);
      expect(new Set(numbers).size).toBe(numbers.length);
    }
  });

  it('leave keys 0 and 1 of a clear-text message to the envelope', () => {
    expect(Keys.EnvelopeKey).toEqual({ TYPE: 0, VERSION: 1 });
    for (const table of Object.values(clearTables)) for (const n of Object.values(table)) expect(n).toBeGreaterThan(1);
  });
});

describe('docs/PROTOCOL.md', () => {
  it('lists every clear-text message key by name and number, and nothing else', () => {
    const rows = rowsOf('| message | key | name |');
    const envelope = rows.filter((r) => r[0] === 'every one').map((r) => [unquote(r[2]), Number(r[1])]);
    expect(envelope).toEqual([
      ['EnvelopeKey.TYPE', 0],
      ['EnvelopeKey.VERSION', 1],
    ]);
    for (const [message, table] of Object.entries(clearTables)) {
      const listed = rows.filter((r) => r[0] === message).map((r) => [unquote(r[2]), Number(r[1])]);
      expect(listed, message).toEqual(asEntries(table));
    }
    const known = new Set(['every one', ...Object.keys(clearTables)]);
    expect(rows.filter((r) => !known.has(r[0]))).toEqual([]);
  });

  it('lists every sealed body, card map and claim key by name and number, and nothing else', () => {
    for (const [name, table] of Object.entries(ownTables)) {
      const at = doc.indexOf(`(\`${name}\``);
      expect(at, `(\`${name}\`) in docs/PROTOCOL.md`).toBeGreaterThanOrEqual(0);
      const listed = rowsOf('| key | name |', at).map((r) => [unquote(r[1]), Number(r[0])]);
      expect(listed, name).toEqual(asEntries(table));
    }
  });

  it('gives the result body its one key', () => {
    expect(Keys.ResultBodyKey).toEqual({ STATUS: 1 });
    expect(doc).toContain('(`ResultBodyKey`)');
    expect(doc).toContain('key `1` `STATUS`');
  });
});
