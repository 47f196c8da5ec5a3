/**
 * Planning where a compaction puts the live records: greedily packed, in id order, into as
 * few entries as fit each page. Planning is a dry run over sizes only, so a compaction that
 * would not fit is refused before anything is erased or written. ES5 built-ins only.
 */
import { GROUP_HEADER_SIZE, RECORD_HEADER_SIZE, entrySizeForBody } from './format.ts';
import type { RecordUpdate } from './format.ts';

export interface PlannedEntry {
  page: number; // within the group
  offset: number;
  records: RecordUpdate[];
}

export interface PackPlan {
  entries: PlannedEntry[];
  /** First free position after the packed records. */
  endPage: number;
  endOffset: number;
}

/**
 * Plans `records` (live values only, no removals) into a group of `groupPages` pages of
 * `pageSize` bytes, starting after the group header. Returns null when they do not fit.
 */
export function planPacking(records: RecordUpdate[], groupPages: number, pageSize: number): PackPlan | null {
  const entries: PlannedEntry[] = [];
  let page = 0;
  let offset = GROUP_HEADER_SIZE;
  let current: PlannedEntry | null = null;
  let body = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    const need = RECORD_HEADER_SIZE + (r.value === null ? 0 : r.value.length);
    if (current !== null && current.offset + entrySizeForBody(body + need) <= pageSize) {
      current.records.push(r);
      body += need;
      continue;
    }
    if (current !== null) offset = current.offset + entrySizeForBody(body);
    if (offset + entrySizeForBody(need) > pageSize) {
      page++;
      offset = 0;
      if (page >= groupPages || entrySizeForBody(need) > pageSize) return null;
    }
    current = { page: page, offset: offset, records: [r] };
    entries.push(current);
    body = need;
  }
  if (current !== null) offset = current.offset + entrySizeForBody(body);
  return { entries: entries, endPage: page, endOffset: offset };
}
