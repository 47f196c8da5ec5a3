/**
 * Finding a lost band: each band's last contact, shown to its owner only. A contact is a
 * hello of the band that opened with this checkout's keys (hello.ts), whatever it came for
 * and however it ended (a payment, a refusal, a revoked band's wipe, an unlock). What the
 * checkout knows of where is the terminal that carried it and that terminal's merchant,
 * nothing more: no place; and the battery level when the band's sealed hello says it. Other people learn
 * nothing new: the band's radio address rotates (docs/PROTOCOL.md §7) and only the owner's
 * session reads this.
 *
 * A hello carries no time of its own: a paired terminal that holds a band's captured hello
 * can post it again later, and the band then looks seen there, then.
 */
import type { BandRow, TerminalRow } from '../store.ts';
import type { FoundBandView, LastSeenView } from '../api/views.ts';
import type { Ctx } from './context.ts';

/**
 * A contact at the terminal recorded last, less than this after it, is not written: on SQLite
 * every write is a transaction that syncs to disk (~2 ms here), and a band paying again and
 * again at one till should not pay that each time. "Last seen" is exact to the minute.
 */
export const SEEN_STEP_MS = 60_000;

export async function recordContact(
  ctx: Ctx,
  band: BandRow,
  terminal: TerminalRow | null,
  battery: number | undefined,
): Promise<void> {
  const at = ctx.clock();
  const terminalId = terminal ? terminal.id : null;
  const level = battery ?? null;
  const recent = band.lastSeenAt !== null && at - band.lastSeenAt < SEEN_STEP_MS;
  if (recent && band.lastSeenTerminal === terminalId && band.lastSeenBattery === level) return;
  await ctx.store.bands.markSeen(band.deviceId, at, terminalId, level);
}

/** The band's last contact with the names of its merchant and terminal as they are now. */
export async function lastSeenOf(ctx: Ctx, band: BandRow): Promise<LastSeenView | null> {
  if (band.lastSeenAt === null) return null;
  const battery = band.lastSeenBattery;
  if (band.lastSeenTerminal === null) return { at: band.lastSeenAt, merchant: null, terminal: null, battery };
  // Unpairing keeps the terminal's row, so its name is still there.
  const terminal = await ctx.store.merchants.terminal(band.lastSeenTerminal);
  const merchant = terminal ? await ctx.store.accounts.byId(terminal.merchantId) : undefined;
  return {
    at: band.lastSeenAt,
    merchant: merchant ? merchant.displayName : null,
    terminal: terminal?.name ?? null,
    battery,
  };
}

export async function foundBandView(ctx: Ctx, band: BandRow): Promise<FoundBandView> {
  return {
    deviceId: band.deviceId,
    name: band.name,
    status: band.status,
    lastSeen: await lastSeenOf(ctx, band),
    ringRequestedAt: band.findRequestedAt,
    rangAt: band.rangAt,
  };
}
