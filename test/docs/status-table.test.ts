import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PROTOCOL_DOC, withCurrentTable } from '../../scripts/docs-status.ts';
import { Status } from '../../shared/status/codes.ts';

describe('docs/PROTOCOL.md', () => {
  it('lists exactly the status codes of shared/status (run `npm run docs:status` after changing them)', () => {
    const doc = readFileSync(PROTOCOL_DOC, 'utf8');
    expect(doc).toBe(withCurrentTable(doc));
  });

  it('has unique status values, all below 0x80 (one byte on the wire)', () => {
    const values = Object.values(Status);
    expect(new Set(values).size).toBe(values.length);
    for (const v of values) expect(v).toBeLessThan(0x80);
  });
});
