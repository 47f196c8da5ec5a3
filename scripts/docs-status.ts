/**
 * `npm run docs:status`: writes the status-code table of docs/PROTOCOL.md §6 from
 * shared/status (the one table), between its markers. test/docs/status-table.test.ts
 * fails when the document and the code disagree.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Status, type StatusName } from '../shared/status/codes.ts';
import { statusMeaning } from '../shared/status/describe.ts';

export const PROTOCOL_DOC = new URL('../docs/PROTOCOL.md', import.meta.url);
const START = '<!-- status-table:start -->';
const END = '<!-- status-table:end -->';

export function statusTable(): string {
  const rows = (Object.keys(Status) as StatusName[]).map((name) => {
    const code = Status[name];
    return `| \`0x${code.toString(16).padStart(2, '0')}\` | ${code} | \`${name}\` | ${statusMeaning[name]} |`;
  });
  return ['| hex | dec | name | meaning |', '|---|---:|---|---|', ...rows].join('\n');
}

/** The document with its table section replaced by the current table. */
export function withCurrentTable(doc: string): string {
  const a = doc.indexOf(START);
  const b = doc.indexOf(END);
  if (a < 0 || b < a) throw new Error('docs/PROTOCOL.md has no status-table markers');
  return doc.slice(0, a + START.length) + '\n' + statusTable() + '\n' + doc.slice(b);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(PROTOCOL_DOC, withCurrentTable(readFileSync(PROTOCOL_DOC, 'utf8')));
  console.log('docs/PROTOCOL.md: status table written');
}
