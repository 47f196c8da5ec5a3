/**
 * Adapts the journal (firmware/storage) to the band's RecordStore. A journal that does
 * not open (flash failing even to be read back and cleaned) leaves the band running on
 * an empty in-RAM store that refuses every write, so it can still report the fault
 * instead of crashing in a boot loop.
 */
import { Journal } from '../storage/journal.ts';
import { Status, StatusCode } from '../../shared/status/codes.ts';
import { Flash, Log } from '../hal.ts';
import { RecordStore } from './band-store.ts';

export function openRecordStore(flash: Flash, log: Log): { store: RecordStore; status: StatusCode } {
  const opened = Journal.open(flash);
  if (!opened.ok) {
    log.log('storage: ' + (opened.detail || 'open failed'));
    return { store: { get: () => null, putMany: () => false, compact: () => false }, status: Status.STORAGE_CORRUPT };
  }
  const journal = opened.value;
  const store: RecordStore = {
    get: (id) => journal.get(id),
    putMany: (entries) => {
      const r = journal.putMany(entries);
      if (!r.ok) log.log('storage: write failed: ' + (r.detail || r.status));
      return r.ok;
    },
    compact: () => journal.compact().ok,
  };
  return { store, status: journal.status() };
}
