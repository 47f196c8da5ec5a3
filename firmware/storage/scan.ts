/**
 * Boot-time reading of the journal: the entries of the live group replayed into per-record
 * values (group headers are read by journal.ts). Read-only; ES5 built-ins only (band firmware).
 *
 * What a live group legitimately holds, in log order (pages in order, entries in order):
 * the base entries its compaction packed, then committed appends, with sequence numbers
 * following each other without a gap from the header's first one, and at most ONE leftover
 * of a power cut (an uncommitted entry or a torn header) as the very last item: the journal
 * compacts before it appends after such a leftover (`tornTail`).
 *
 * Trust rule: only a prefix of the log is trusted. Anything else stops the replay as damage:
 * a committed entry with a bad checksum or body, a damaged header, bytes after the end, a
 * sequence gap, anything after a power-cut leftover. Stopping rather than skipping keeps the
 * state one the store passed through, so records of one `putMany` never come back mixed.
 * A prefix ending inside the base entries is not a state the store ever had (they hold the
 * packed state, a page-full of records each), so damage there drops every record.
 */
import type { Flash } from '../hal.ts';
import { GROUP_HEADER_SIZE, parseEntry } from './format.ts';
import type { GroupHeader } from './format.ts';

export interface GroupGeometry {
  firstPage: number;
  groupPages: number;
  pageSize: number;
  maxRecordId: number;
}

export interface GroupScan {
  /** Value per record id (index 0 unused); null when absent or removed. */
  values: (Uint8Array | null)[];
  /** Sequence number for the next entry. */
  nextSeq: number;
  /** Entries applied. */
  entries: number;
  /** 1 when damage stopped the replay, else 0. */
  corruptions: number;
  /** The log ends in a power-cut leftover: compact before appending. */
  tornTail: boolean;
  /**
   * Where the next entry goes: page index within the group and offset. writePage === groupPages:
   * no room, or the trusted state must be rewritten (damage, torn tail) before any append.
   */
  writePage: number;
  writeOffset: number;
}

/** Replays the live group at `g` whose (valid, committed) header is `h`. Never throws. */
export function scanGroup(flash: Flash, g: GroupGeometry, h: GroupHeader): GroupScan {
  const values: (Uint8Array | null)[] = [];
  for (let i = 0; i <= g.maxRecordId; i++) values.push(null);
  const scan: GroupScan = {
    values: values,
    nextSeq: h.firstSeq,
    entries: 0,
    corruptions: 0,
    tornTail: false,
    writePage: 0,
    writeOffset: GROUP_HEADER_SIZE,
  };
  let lastUsed = -1;
  let lastFree = GROUP_HEADER_SIZE;
  for (let p = 0; p < g.groupPages; p++) {
    const page = flash.read(g.firstPage + p, 0, g.pageSize);
    const start = p === 0 ? GROUP_HEADER_SIZE : 0;
    let at = start;
    for (;;) {
      const e = parseEntry(page, at, g.maxRecordId);
      if (e.kind === 'end') break;
      if (scan.tornTail || e.kind === 'corrupt') return damaged(scan, g, h);
      if (e.kind === 'torn') {
        scan.tornTail = true;
        at = g.pageSize; // the torn bytes are never written over
        break;
      }
      if (e.seq !== scan.nextSeq || (e.committed && !e.intact)) return damaged(scan, g, h);
      scan.nextSeq = (scan.nextSeq + 1) >>> 0;
      at += e.size;
      if (!e.committed) {
        scan.tornTail = true;
        continue; // only erased bytes may follow
      }
      scan.entries++;
      for (let i = 0; i < e.records.length; i++) values[e.records[i].id] = e.records[i].value;
    }
    if (at > start) {
      lastUsed = p;
      lastFree = at;
    }
  }
  if (scan.entries < h.baseEntries) return damaged(scan, g, h);
  if (scan.tornTail) {
    scan.writePage = g.groupPages;
  } else if (lastUsed >= 0) {
    scan.writePage = lastUsed;
    scan.writeOffset = lastFree;
  }
  return scan;
}

function damaged(scan: GroupScan, g: GroupGeometry, h: GroupHeader): GroupScan {
  scan.corruptions = 1;
  if (scan.entries < h.baseEntries) for (let i = 0; i < scan.values.length; i++) scan.values[i] = null;
  // Never append after damage: the next boot would stop before the append and lose it (for a
  // counter, a repeat). The journal rewrites the trusted state into the other group first.
  scan.writePage = g.groupPages;
  scan.writeOffset = 0;
  return scan;
}
