/**
 * Journaled record store over the Flash HAL (docs/STORAGE.md). Band firmware: ES5 built-ins.
 *
 * The flash region is split into two page groups. One group is live: an append-only log of
 * entries, each holding one or more records, each entry valid only once its commit word is
 * programmed (so `putMany` is atomic). When the live group is full (or damage was found at
 * boot) the current state, including the update being made, is packed into the other group,
 * which becomes live when its header's commit word is programmed; only then is the old group
 * erased. A power cut at any step therefore leaves the old or the new state of every record.
 *
 * Values are cached in RAM (a few hundred bytes on the band; at most maxRecordId ×
 * maxValueSize), so `get` never touches flash.
 *
 * Errors: refusals (bad id, value too large, store full) return a failed Result and change
 * nothing. If the flash throws (a power cut in the emulator) the operation returns
 * fail(INTERNAL) and the journal refuses everything after: nothing may be assumed about that
 * write until `Journal.open` is run again ("reboot").
 */
import type { Flash } from '../hal.ts';
import { Status } from '../../shared/status/codes.ts';
import type { StatusCode } from '../../shared/status/codes.ts';
import { fail, ok } from '../../shared/status/error.ts';
import type { Result } from '../../shared/status/error.ts';
import { GROUP_COMMIT_OFFSET, GROUP_HEADER_SIZE, allErased, encodeEntry, encodeGroupHeader, entrySize } from './format.ts';
import { isInt, resolveOptions } from './options.ts';
import type { JournalOptions } from './options.ts';
import type { GroupHeader, RecordUpdate } from './format.ts';
import { planPacking } from './pack.ts';
import type { PackPlan } from './pack.ts';
import { isPageErased, readGroupHeader, scanGroup } from './scan.ts';
import type { GroupGeometry } from './scan.ts';

const COMMIT = new Uint8Array(4); // programmed over an erased commit word: all bits cleared

function describe(e: unknown): string {
  return e instanceof Error ? e.name + ': ' + e.message : String(e);
}

export class Journal {
  readonly maxValueSize: number;
  readonly maxRecordId: number;
  /** Damage found at open (0 or more); non-zero means `status()` is STORAGE_CORRUPT. */
  corruptions = 0;
  /** Compactions done since open. */
  compactions = 0;
  private readonly flash: Flash;
  private readonly groups: GroupGeometry[];
  private active = -1; // index of the live group, -1 before the first write to an empty store
  private groupSeq = 0;
  private nextSeq = 1;
  private values: (Uint8Array | null)[] = [];
  private writePage = 0;
  private writeOffset = 0;
  private poisoned = false;

  private constructor(flash: Flash, firstPage: number, groupPages: number, maxValueSize: number, maxRecordId: number) {
    this.flash = flash;
    this.maxValueSize = maxValueSize;
    this.maxRecordId = maxRecordId;
    const ps = flash.pageSize;
    this.groups = [
      { firstPage: firstPage, groupPages: groupPages, pageSize: ps, maxRecordId: maxRecordId },
      { firstPage: firstPage + groupPages, groupPages: groupPages, pageSize: ps, maxRecordId: maxRecordId },
    ];
  }

  /**
   * Opens the store: finds the live group, replays it, erases leftovers in the other group.
   * Never throws for any flash contents: without a live group it opens as an empty store,
   * with STORAGE_CORRUPT unless the region is erased or holds only an interrupted first
   * compaction. Fails with INTERNAL for bad options or when the flash throws (a power cut
   * during the clean-up; open again).
   */
  static open(flash: Flash, options?: JournalOptions): Result<Journal> {
    const o = resolveOptions(flash, options);
    if (typeof o === 'string') return fail(Status.INTERNAL, 'journal: ' + o);
    const j = new Journal(flash, o.firstPage, o.pageCount / 2, o.maxValueSize, o.maxRecordId);
    try {
      j.boot();
    } catch (e) {
      return fail(Status.INTERNAL, 'journal: flash failed during open: ' + describe(e));
    }
    return ok(j);
  }

  /** OK, or STORAGE_CORRUPT when damaged data was found (and not trusted) at open. */
  status(): StatusCode {
    return this.corruptions > 0 ? Status.STORAGE_CORRUPT : Status.OK;
  }

  /** A copy of the record's value, or null when absent (or the id is out of range). */
  get(id: number): Uint8Array | null {
    const v = isInt(id) && id >= 1 && id <= this.maxRecordId ? this.values[id] : null;
    return v ? new Uint8Array(v) : null;
  }

  /** Ids of the records present, ascending. */
  ids(): number[] {
    const out: number[] = [];
    for (let id = 1; id <= this.maxRecordId; id++) if (this.values[id]) out.push(id);
    return out;
  }

  put(id: number, value: Uint8Array): Result<true> {
    return this.putMany([{ id: id, value: value }]);
  }

  remove(id: number): Result<true> {
    return this.putMany([{ id: id, value: null }]);
  }

  /**
   * Writes several records as one atomic update (null removes a record). After a power cut,
   * the next open shows all of them old or all of them new.
   */
  putMany(updates: RecordUpdate[]): Result<true> {
    if (!(updates instanceof Array)) return fail(Status.MALFORMED, 'journal: updates must be an array');
    const clean: RecordUpdate[] = [];
    for (let i = 0; i < updates.length; i++) {
      const u = updates[i];
      const id = u ? u.id : NaN;
      if (!isInt(id) || id < 1 || id > this.maxRecordId) return fail(Status.MALFORMED, 'journal: bad record id');
      for (let k = 0; k < clean.length; k++) if (clean[k].id === id) return fail(Status.MALFORMED, 'journal: record twice in one update');
      const v = u.value;
      if (v !== null && !(v instanceof Uint8Array)) return fail(Status.MALFORMED, 'journal: value must be bytes or null');
      if (v !== null && v.length > this.maxValueSize) return fail(Status.OVERSIZE, 'journal: value too large');
      clean.push({ id: id, value: v === null ? null : new Uint8Array(v) }); // own copy: callers may reuse buffers
    }
    if (clean.length === 0) return ok(true);
    const size = entrySize(clean);
    if (size > this.flash.pageSize - GROUP_HEADER_SIZE) return fail(Status.OVERSIZE, 'journal: update does not fit one page');
    const room = this.findRoom(size);
    if (room >= 0) return this.guarded(() => this.append(room, size, clean));
    const next = this.applied(clean);
    const plan = planPacking(this.live(next), this.groups[0].groupPages, this.flash.pageSize);
    if (plan === null) return fail(Status.OVERSIZE, 'journal: store full');
    return this.guarded(() => this.compactInto(plan, next));
  }

  /**
   * Rewrites the live records into the other group and erases the current one, so removed and
   * superseded values are physically gone (use after a remote wipe).
   */
  compact(): Result<true> {
    const plan = planPacking(this.live(this.values), this.groups[0].groupPages, this.flash.pageSize);
    if (plan === null) return fail(Status.OVERSIZE, 'journal: store full');
    return this.guarded(() => this.compactInto(plan, this.values));
  }

  /** Bytes left for appends before the next compaction. */
  freeBytes(): number {
    const g = this.groups[0];
    if (this.active < 0 || this.writePage >= g.groupPages) return 0;
    return g.pageSize - this.writeOffset + (g.groupPages - this.writePage - 1) * g.pageSize;
  }

  private boot(): void {
    const h = [readGroupHeader(this.flash, this.groups[0]), readGroupHeader(this.flash, this.groups[1])];
    for (let i = 0; i < 2; i++) {
      if (h[i].kind === 'valid' && h[i].seq > this.groupSeq) this.groupSeq = h[i].seq;
      if (h[i].kind === 'valid' && h[i].committed && (this.active < 0 || h[i].seq > h[this.active].seq)) this.active = i;
    }
    if (this.active >= 0) {
      const s = scanGroup(this.flash, this.groups[this.active], h[this.active]);
      this.values = s.values;
      this.nextSeq = s.nextSeq;
      this.writePage = s.writePage;
      this.writeOffset = s.writeOffset;
      this.corruptions = s.corruptions;
      // An interrupted compaction, or an old group whose erase was cut: erase it now so a stale
      // but valid-looking group can never be picked should the live header ever be damaged.
      this.eraseGroup(1 - this.active);
      return;
    }
    for (let i = 0; i <= this.maxRecordId; i++) this.values.push(null);
    this.writePage = this.groups[0].groupPages; // the first write formats (compacts into a group)
    // Anything but the leftovers of an interrupted first compaction is reported: it may be our
    // data with a damaged header, and telling that from garbage is guesswork.
    for (let i = 0; i < 2; i++) if (!this.benignLeftover(i, h[i])) this.corruptions++;
  }

  /** Erased; or a group whose first compaction was cut (header unfinished or uncommitted). */
  private benignLeftover(index: number, h: GroupHeader): boolean {
    if (h.kind === 'valid' && !h.committed) return true;
    const g = this.groups[index];
    for (let p = 0; p < g.groupPages; p++) {
      const page = this.flash.read(g.firstPage + p, 0, g.pageSize);
      // The header is one program up to the commit word: cut short, it leaves the rest erased.
      if (!allErased(page, p === 0 && h.kind === 'invalid' ? GROUP_COMMIT_OFFSET : 0, g.pageSize)) return false;
    }
    return true;
  }

  private applied(updates: RecordUpdate[]): (Uint8Array | null)[] {
    const next = this.values.slice();
    for (let i = 0; i < updates.length; i++) next[updates[i].id] = updates[i].value;
    return next;
  }

  private live(values: (Uint8Array | null)[]): RecordUpdate[] {
    const out: RecordUpdate[] = [];
    for (let id = 1; id <= this.maxRecordId; id++) {
      const v = values[id];
      if (v) out.push({ id: id, value: v });
    }
    return out;
  }

  /** The page (within the live group) an entry of `size` bytes goes to, or -1. */
  private findRoom(size: number): number {
    const g = this.groups[0];
    if (this.active < 0 || this.writePage >= g.groupPages) return -1;
    if (this.writeOffset + size <= g.pageSize) return this.writePage;
    return this.writePage + 1 < g.groupPages ? this.writePage + 1 : -1;
  }

  private guarded(write: () => void): Result<true> {
    if (this.poisoned) return fail(Status.INTERNAL, 'journal: a write failed; reopen before writing again');
    this.poisoned = true;
    try {
      write();
    } catch (e) {
      return fail(Status.INTERNAL, 'journal: flash write failed, outcome unknown until reopen: ' + describe(e));
    }
    this.poisoned = false;
    return ok(true);
  }

  private append(page: number, size: number, updates: RecordUpdate[]): void {
    const g = this.groups[this.active];
    const offset = page === this.writePage ? this.writeOffset : 0;
    const bytes = new Uint8Array(size);
    encodeEntry(bytes, 0, this.nextSeq, updates, false);
    this.nextSeq = (this.nextSeq + 1) >>> 0;
    // Body first, commit word second: the entry counts only once the body is complete.
    this.flash.program(g.firstPage + page, offset, bytes.subarray(0, size - 4));
    this.flash.program(g.firstPage + page, offset + size - 4, COMMIT);
    this.writePage = page;
    this.writeOffset = offset + size;
    for (let i = 0; i < updates.length; i++) this.values[updates[i].id] = updates[i].value;
  }

  /**
   * Erase the target group, write its header, pack `values` into it (one program per page;
   * entry commit words included, as the group commit covers them), commit the group, then
   * erase the old group. The group commit is the one step that switches old → new.
   */
  private compactInto(plan: PackPlan, values: (Uint8Array | null)[]): void {
    const target = this.active < 0 ? 0 : 1 - this.active;
    const g = this.groups[target];
    this.eraseGroup(target);
    this.flash.program(g.firstPage, 0, encodeGroupHeader(this.groupSeq + 1, plan.entries.length, this.nextSeq, g.groupPages, g.pageSize));
    let i = 0;
    while (i < plan.entries.length) {
      const page = plan.entries[i].page;
      const start = plan.entries[i].offset;
      let j = i;
      let end = start;
      while (j < plan.entries.length && plan.entries[j].page === page) end += entrySize(plan.entries[j++].records);
      const buf = new Uint8Array(end - start);
      for (let k = i; k < j; k++) {
        encodeEntry(buf, plan.entries[k].offset - start, this.nextSeq, plan.entries[k].records, true);
        this.nextSeq = (this.nextSeq + 1) >>> 0;
      }
      this.flash.program(g.firstPage + page, start, buf);
      i = j;
    }
    this.flash.program(g.firstPage, GROUP_COMMIT_OFFSET, COMMIT);
    const old = this.active;
    this.active = target;
    this.groupSeq++;
    this.values = values;
    this.writePage = plan.endPage;
    this.writeOffset = plan.endOffset;
    this.compactions++;
    if (old >= 0) this.eraseGroup(old);
    else this.eraseGroup(1 - target); // first write after garbage: clear the other group too
  }

  /** Erase the group's pages that are not already erased, header page first. */
  private eraseGroup(index: number): void {
    const g = this.groups[index];
    for (let p = 0; p < g.groupPages; p++) {
      if (!isPageErased(this.flash, g.firstPage + p)) this.flash.erase(g.firstPage + p);
    }
  }
}
