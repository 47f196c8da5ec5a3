/**
 * On-flash layout of the journal (docs/STORAGE.md). Pure functions over byte arrays; ES5
 * built-ins only (band firmware). All multi-byte fields are little-endian; every structure
 * starts on a 4-byte boundary and each 32-bit word is programmed once between erases (the
 * nRF52's NVMC allows only two writes per word).
 *
 * Group header (first page of a group, 28 bytes):
 *   0 u32 magic 'WPJ1'   4 u32 group sequence   8 u8 version  9 u8 pages per group
 *  10 u16 pageSize / 4  12 u32 entries packed by the compaction that filled the group
 *  16 u32 sequence number of the group's first entry (later ones follow without gaps)
 *  20 u32 CRC-32 of bytes 0..20   24 u32 commit (0xFFFFFFFF = compaction unfinished)
 *
 * Entry (any page, 4-aligned):
 *   0 u8 magic 0xA7   1 u8 record count   2 u16 body length   4 u32 entry sequence
 *   8 u32 CRC-32 of bytes 0..8 (lets a damaged length be told from a torn write)
 *  12 body: per record [u8 id][u16 length or 0xFFFF = removed][value], then zero padding to 4
 *   … u32 CRC-32 of everything from the entry start to here
 *   … u32 commit: 0xFFFFFFFF until the entry is complete; programmed to 0 as a separate step
 */
import { crc32 } from './crc32.ts';

export const GROUP_MAGIC = 0x314a5057; // bytes 'W' 'P' 'J' '1'
export const FORMAT_VERSION = 1;
export const GROUP_HEADER_SIZE = 28;
export const GROUP_COMMIT_OFFSET = 24;
export const ENTRY_MAGIC = 0xa7;
export const ENTRY_HEADER_SIZE = 12;
export const ENTRY_TRAILER_SIZE = 8;
export const RECORD_HEADER_SIZE = 3;
/** Length value marking a removed record (a tombstone). */
export const REMOVED = 0xffff;
export const ERASED_WORD = 0xffffffff;

export function getU16(b: Uint8Array, o: number): number {
  return b[o] | (b[o + 1] << 8);
}
export function getU32(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
}
export function setU16(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
}
export function setU32(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
  b[o + 2] = (v >>> 16) & 0xff;
  b[o + 3] = (v >>> 24) & 0xff;
}
/** Flash bytes of an entry whose records take `bodyLen` bytes: header, body padded to 4, trailer. */
export function entrySizeForBody(bodyLen: number): number {
  return ENTRY_HEADER_SIZE + ((bodyLen + 3) & ~3) + ENTRY_TRAILER_SIZE;
}
/** True when b[from..to) is all 0xFF (erased). */
export function allErased(b: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (b[i] !== 0xff) return false;
  return true;
}

/** One record update: a value, or null to remove the record. */
export interface RecordUpdate {
  id: number;
  value: Uint8Array | null;
}

/** Flash bytes an entry holding these records takes, commit word included. */
export function entrySize(records: RecordUpdate[]): number {
  let body = 0;
  for (let i = 0; i < records.length; i++) {
    const v = records[i].value;
    body += RECORD_HEADER_SIZE + (v === null ? 0 : v.length);
  }
  return entrySizeForBody(body);
}

/**
 * Encodes an entry into `out` at `at`. The commit word is written as 0 (committed) when
 * `committed`, else left 0xFFFF_FFFF for a separate program. Returns the entry's size.
 */
export function encodeEntry(
  out: Uint8Array,
  at: number,
  seq: number,
  records: RecordUpdate[],
  committed: boolean,
): number {
  const size = entrySize(records);
  const bodyLen = size - ENTRY_HEADER_SIZE - ENTRY_TRAILER_SIZE; // padded
  out[at] = ENTRY_MAGIC;
  out[at + 1] = records.length;
  let p = at + ENTRY_HEADER_SIZE;
  for (let i = 0; i < records.length; i++) {
    const v = records[i].value;
    out[p] = records[i].id;
    setU16(out, p + 1, v === null ? REMOVED : v.length);
    p += RECORD_HEADER_SIZE;
    if (v !== null) {
      out.set(v, p);
      p += v.length;
    }
  }
  setU16(out, at + 2, p - at - ENTRY_HEADER_SIZE);
  setU32(out, at + 4, seq);
  setU32(out, at + 8, crc32(out, at, at + 8));
  const end = at + ENTRY_HEADER_SIZE + bodyLen;
  while (p < end) out[p++] = 0;
  setU32(out, end, crc32(out, at, end));
  setU32(out, end + 4, committed ? 0 : ERASED_WORD);
  return size;
}

/** Result of reading flash at an entry position; see `parseEntry`. */
export type EntryScan =
  /** Erased from here to the end of the page: the page's free space starts here. */
  | { kind: 'end' }
  /** A header whose program never finished (all after it erased): benign, the page is closed here. */
  | { kind: 'torn' }
  /** Damage after which nothing on the page can be located. */
  | { kind: 'corrupt' }
  /**
   * A located entry. `committed`: the commit word was (at least partly) programmed, so the body
   * was complete. `intact`: committed, checksum good and the body well-formed.
   */
  | { kind: 'entry'; size: number; seq: number; committed: boolean; intact: boolean; records: RecordUpdate[] };

/**
 * Parses the entry at `at` in the page image `page`. Never throws. Record ids must be
 * 1..maxRecordId, unique within the entry. Values are fresh copies.
 */
export function parseEntry(page: Uint8Array, at: number, maxRecordId: number): EntryScan {
  const end = page.length;
  if (at + 4 > end || getU32(page, at) === ERASED_WORD) {
    // Writes are sequential, so nothing legitimate follows an erased word.
    return allErased(page, at, end) ? { kind: 'end' } : { kind: 'corrupt' };
  }
  const count = page[at + 1];
  const bodyLen = at + ENTRY_HEADER_SIZE <= end ? getU16(page, at + 2) : 0;
  const size = entrySizeForBody(bodyLen);
  const headerOk =
    at + ENTRY_HEADER_SIZE <= end &&
    page[at] === ENTRY_MAGIC &&
    count >= 1 &&
    bodyLen >= count * RECORD_HEADER_SIZE &&
    at + size <= end &&
    getU32(page, at + 8) === crc32(page, at, at + 8);
  if (!headerOk) {
    // An entry is one program: a header cut short leaves everything after the header erased.
    // Anything else here means a written header was damaged afterwards.
    return allErased(page, at + ENTRY_HEADER_SIZE, end) ? { kind: 'torn' } : { kind: 'corrupt' };
  }
  const seq = getU32(page, at + 4);
  const committed = getU32(page, at + size - 4) !== ERASED_WORD;
  const records: RecordUpdate[] = [];
  let intact = committed && getU32(page, at + size - 8) === crc32(page, at, at + size - 8);
  if (intact) intact = decodeBody(page, at + ENTRY_HEADER_SIZE, bodyLen, count, maxRecordId, records);
  return { kind: 'entry', size: size, seq: seq, committed: committed, intact: intact, records: intact ? records : [] };
}

function decodeBody(
  b: Uint8Array,
  start: number,
  len: number,
  count: number,
  maxId: number,
  out: RecordUpdate[],
): boolean {
  const end = start + len;
  let p = start;
  for (let i = 0; i < count; i++) {
    if (p + RECORD_HEADER_SIZE > end) return false;
    const id = b[p];
    const n = getU16(b, p + 1);
    p += RECORD_HEADER_SIZE;
    if (id < 1 || id > maxId) return false;
    for (let j = 0; j < out.length; j++) if (out[j].id === id) return false;
    if (n === REMOVED) {
      out.push({ id: id, value: null });
      continue;
    }
    if (p + n > end) return false;
    const v = new Uint8Array(n);
    v.set(b.subarray(p, p + n));
    out.push({ id: id, value: v });
    p += n;
  }
  return p === end;
}

export interface GroupHeader {
  /** 'erased': the header area reads 0xFF; 'valid': magic, layout and CRC check out. */
  kind: 'erased' | 'valid' | 'invalid';
  seq: number;
  /** Entries at the start of the group written by its compaction (the state it started from). */
  baseEntries: number;
  /** Sequence number of the group's first entry. */
  firstSeq: number;
  committed: boolean;
}

function layoutWord(groupPages: number, pageSize: number): number {
  return (FORMAT_VERSION | (groupPages << 8) | ((pageSize >>> 2) << 16)) >>> 0;
}

/** The group header up to its commit word, written before the compaction fills the group. */
export function encodeGroupHeader(
  seq: number,
  baseEntries: number,
  firstSeq: number,
  groupPages: number,
  pageSize: number,
): Uint8Array {
  const b = new Uint8Array(GROUP_COMMIT_OFFSET);
  setU32(b, 0, GROUP_MAGIC);
  setU32(b, 4, seq);
  setU32(b, 8, layoutWord(groupPages, pageSize));
  setU32(b, 12, baseEntries);
  setU32(b, 16, firstSeq);
  setU32(b, 20, crc32(b, 0, 20));
  return b;
}

export function parseGroupHeader(b: Uint8Array, groupPages: number, pageSize: number): GroupHeader {
  if (allErased(b, 0, GROUP_HEADER_SIZE))
    return { kind: 'erased', seq: 0, baseEntries: 0, firstSeq: 0, committed: false };
  const valid =
    getU32(b, 0) === GROUP_MAGIC &&
    getU32(b, 8) === layoutWord(groupPages, pageSize) &&
    getU32(b, 20) === crc32(b, 0, 20);
  return {
    kind: valid ? 'valid' : 'invalid',
    seq: valid ? getU32(b, 4) : 0,
    baseEntries: valid ? getU32(b, 12) : 0,
    firstSeq: valid ? getU32(b, 16) : 0,
    committed: valid && getU32(b, GROUP_COMMIT_OFFSET) !== ERASED_WORD,
  };
}
