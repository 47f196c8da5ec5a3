/** Journal options: defaults and validation (bad options are a programmer error → INTERNAL). */
import type { Flash } from '../hal.ts';
import { GROUP_HEADER_SIZE, entrySize } from './format.ts';

export interface JournalOptions {
  /** First flash page of the journal's region (default 0). */
  firstPage?: number;
  /** Pages in the region, even, >= 2 (default: the rest of the flash). Half of them hold data. */
  pageCount?: number;
  /** Largest value in bytes (default min(1024, pageSize − 51): one value must fit one page). */
  maxValueSize?: number;
  /** Record ids are 1..maxRecordId (default 15, at most 254: ids are one byte, 0 and 255 unused). */
  maxRecordId?: number;
}

export interface ResolvedOptions {
  firstPage: number;
  pageCount: number;
  maxValueSize: number;
  maxRecordId: number;
}

/** Overhead of a one-record entry on a group's first page: group header, entry header, record header, trailer. */
const ONE_RECORD_OVERHEAD = GROUP_HEADER_SIZE + 12 + 3 + 8;

export function isInt(n: unknown): n is number {
  return typeof n === 'number' && isFinite(n) && Math.floor(n) === n;
}

/** The options with defaults filled in, or a sentence saying what is wrong. */
export function resolveOptions(flash: Flash, options?: JournalOptions): ResolvedOptions | string {
  const o = options || {};
  const ps = flash.pageSize;
  const firstPage = o.firstPage === undefined ? 0 : o.firstPage;
  const count = o.pageCount === undefined ? flash.pageCount - firstPage : o.pageCount;
  const maxId = o.maxRecordId === undefined ? 15 : o.maxRecordId;
  const maxValue = o.maxValueSize === undefined ? Math.min(1024, ps - ONE_RECORD_OVERHEAD) : o.maxValueSize;
  // pageSize / 4 is stored in 16 bits; pages per group in 8.
  if (!isInt(ps) || ps % 4 !== 0 || ps < 64 || ps > 0x3fffc) return 'unsupported page size';
  if (
    !isInt(firstPage) ||
    !isInt(count) ||
    firstPage < 0 ||
    count < 2 ||
    count % 2 !== 0 ||
    count > 510 ||
    firstPage + count > flash.pageCount
  ) {
    return 'region must be an even number of pages >= 2 inside the flash';
  }
  if (!isInt(maxId) || maxId < 1 || maxId > 254) return 'maxRecordId must be 1..254';
  if (
    !isInt(maxValue) ||
    maxValue < 0 ||
    maxValue > 0xfffe ||
    entrySize([{ id: 1, value: new Uint8Array(maxValue) }]) > ps - GROUP_HEADER_SIZE
  ) {
    return 'maxValueSize does not fit one page';
  }
  return { firstPage: firstPage, pageCount: count, maxValueSize: maxValue, maxRecordId: maxId };
}
