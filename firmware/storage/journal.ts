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
import {
  GROUP_COMMIT_OFFSET,
  GROUP_HEADER_SIZE,
  allErased,
  encodeEntry,
  encodeGroupHeader,
  entrySize,
  parseGroupHeader,
} from './format.ts';
import { isInt, resolveOptions } from './options.ts';
import type { JournalOptions } from './options.ts';
import type { GroupHeader, RecordUpdate } from './format.ts';
import { planPacking } from './pack.ts';
import type { PackPlan } from './pack.ts';
import { scanGroup } from './scan.ts';
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
      for (let k = 0; k < clean.length; k++)
        if (clean[k].id === id) return fail(Status.MALFORMED, 'journal: record twice in one update');
      const v = u.value;
      if (v !== null && !(v instanceof Uint8Array))
        return fail(Status.MALFORMED, 'journal: value must be bytes or null');
      if (v !== null && v.length > this.maxValueSize) return fail(Status.OVERSIZE, 'journal: value too large');
      clean.push({ id: id, value: v === null ? null : new Uint8Array(v) }); // own copy: callers may reuse buffers
    }
    if (clean.length === 0) return ok(true);
    const size = entrySize(clean);
    if (size > this.flash.pageSize - GROUP_HEADER_SIZE)
      return fail(Status.OVERSIZE, 'journal: update does not fit one page');
    // Append on the live group's current page, else on its next one; else compact.
    const g = this.groups[0];
    let room = -1;
    if (this.active >= 0 && this.writePage < g.groupPages) {
      if (this.writeOffset + size <= g.pageSize) room = this.writePage;
      else if (this.writePage + 1 < g.groupPages) room = this.writePage + 1;
    }
    return this.write(clean, size, room);
  }

  /**
   * Rewrites the live records into the other group and erases the current one, so removed and
   * superseded values are physically gone (use after a remote wipe).
   */
  compact(): Result<true> {
    return this.write([], 0, -1);
  }

  /** Bytes left for appends before the next compaction. */
  freeBytes(): number {
    const g = this.groups[0];
    if (this.active < 0 || this.writePage >= g.groupPages) return 0;
    return g.pageSize - this.writeOffset + (g.groupPages - this.writePage - 1) * g.pageSize;
  }

  private boot(): void {
    const h: GroupHeader[] = [];
    for (let i = 0; i < 2; i++) {
      const g = this.groups[i];
      h.push(parseGroupHeader(this.flash.read(g.firstPage, 0, GROUP_HEADER_SIZE), g.groupPages, g.pageSize));
    }
    for (let i = 0; i < 2; i++) {
      if (h[i].kind === 'valid' && h[i].seq > this.groupSeq) this.groupSeq = h[i].seq;
      if (h[i].kind === 'valid' && h[i].committed && (this.active < 0 || h[i].seq > h[this.active].seq))
        this.active = i;
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
    // Anything but an erased group or the leftovers of an interrupted first compaction (header
    // unfinished or uncommitted) is reported: it may be our data with a damaged header, and
    // telling that from garbage is guesswork.
    for (let i = 0; i < 2; i++) {
      if (h[i].kind === 'valid' && !h[i].committed) continue;
      const g = this.groups[i];
      for (let p = 0; p < g.groupPages; p++) {
        const page = this.flash.read(g.firstPage + p, 0, g.pageSize);
        // The header is one program up to the commit word: cut short, it leaves the rest erased.
        if (!allErased(page, p === 0 && h[i].kind === 'invalid' ? GROUP_COMMIT_OFFSET : 0, g.pageSize)) {
          this.corruptions++;
          break;
        }
      }
    }
  }

  /**
   * Appends `updates` (an entry of `size` bytes) on page `room` of the live group, or with
   * room < 0 packs the values with `updates` applied into the other group. A flash that throws
   * poisons the journal (see the top of the file).
   */
  private write(updates: RecordUpdate[], size: number, room: number): Result<true> {
    let next = this.values;
    let plan: PackPlan | null = null;
    if (room < 0) {
      next = next.slice();
      for (let i = 0; i < updates.length; i++) next[updates[i].id] = updates[i].value;
      // The live records in id order, planned into the other group before anything is erased.
      const live: RecordUpdate[] = [];
      for (let id = 1; id <= this.maxRecordId; id++) {
        const v = next[id];
        if (v) live.push({ id: id, value: v });
      }
      plan = planPacking(live, this.groups[0].groupPages, this.flash.pageSize);
      if (plan === null) return fail(Status.OVERSIZE, 'journal: store full');
    }
    if (this.poisoned) return fail(Status.INTERNAL, 'journal: a write failed; reopen before writing again');
    this.poisoned = true;
    try {
      if (plan === null) this.append(room, size, updates);
      else this.compactInto(plan, next);
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
    this.flash.program(
      g.firstPage,
      0,
      encodeGroupHeader(this.groupSeq + 1, plan.entries.length, this.nextSeq, g.groupPages, g.pageSize),
    );
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
      const page = g.firstPage + p;
      if (!allErased(this.flash.read(page, 0, g.pageSize), 0, g.pageSize)) this.flash.erase(page);
    }
  }
}
