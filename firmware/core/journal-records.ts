/**
 * Opens the journal (firmware/storage) as the band's RecordStore. A journal that does
 * not open (flash failing even to be read back and cleaned) leaves the band running on
 * an empty in-RAM store that refuses every write, so it can still report the fault
 * instead of crashing in a boot loop.
 */
import { Journal } from '../storage/journal.ts';
import { Status, type StatusCode } from '../../shared/status/codes.ts';
import { fail } from '../../shared/status/error.ts';
import type { Flash, Log } from '../hal.ts';
import type { RecordStore } from './band-store.ts';

export function openRecordStore(flash: Flash, log: Log): { store: RecordStore; status: StatusCode } {
  const opened = Journal.open(flash);
  if (opened.ok) return { store: opened.value, status: opened.value.status() };
  log.log('storage: ' + (opened.detail || 'open failed'));
  const refused = () => fail(Status.STORAGE_CORRUPT);
  return { store: { get: () => null, putMany: refused, compact: refused }, status: Status.STORAGE_CORRUPT };
}
