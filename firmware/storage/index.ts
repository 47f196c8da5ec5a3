/** Journaled record storage over the Flash HAL (docs/STORAGE.md). */
export { Journal } from './journal.ts';
export type { JournalOptions } from './options.ts';
export type { RecordUpdate } from './format.ts';
