/**
 * Several checkout instances share one store, and `wristpay checkout keys rotate` or `retire`
 * changes the key ring under the running ones (PROTOCOL.md §8). An instance started before a
 * rotation meets bands that another instance has already moved to the new keys: a hello that
 * no key of its ring opens, or a band on a key it does not hold. Then it reads the ring again,
 * instead of refusing the band until someone restarts it (a rolling restart would otherwise
 * fail those bands on every instance not yet restarted).
 *
 * At most one read per RING_RELOAD_MS: garbage hellos, which open with no key at all, cost one
 * store read per interval, not one per hello.
 */
import type { Ctx } from './context.ts';
import { loadOrCreateKeys } from './keys.ts';

export const RING_RELOAD_MS = 5_000;

const lastReload = new WeakMap<Ctx, number>();

/** Reads the ring again unless it was read within RING_RELOAD_MS; true when it changed (ctx.keys is replaced). */
export async function reloadKeysOnMiss(ctx: Ctx): Promise<boolean> {
  const now = ctx.clock();
  const last = lastReload.get(ctx);
  if (last !== undefined && now - last < RING_RELOAD_MS) return false;
  lastReload.set(ctx, now);
  const fresh = await loadOrCreateKeys(ctx.store, ctx.provider);
  const held = ctx.keys.ring;
  const same = fresh.ring.length === held.length && fresh.ring.every((k, i) => k.id === held[i].id);
  if (same) return false;
  ctx.keys = fresh;
  return true;
}
