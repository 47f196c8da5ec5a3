/**
 * The outcome of an atomic store change: done, or the status that refused it (nothing written).
 * Its own file so the store's parts (store.ts, identity-store.ts) share it without a circle.
 */
import type { StatusCode } from '../shared/status/codes.ts';

/**
 * `idTaken`: an insert refused only because its random id is in use (ids that travel on the air
 * are 40 bits, core/ids.ts); the caller retries with a fresh id (insertWithFreshId).
 */
export type Commit<T> = { ok: true; value: T } | { ok: false; status: StatusCode; detail?: string; idTaken?: true };
