/**
 * Picking the band to talk to, and getting a link to it again when it drops.
 *
 * The bridge talks only to the nearest band (highest RSSI): the one at the till. It does
 * not fall back to a farther band when the nearest cannot be reached — that could be a
 * bystander's — and it reports when a second band is almost as near, so a person can ask
 * the other wearer to step back.
 *
 * An owner's command passes the identity resolving keys of the owner's bands: then only
 * a band whose private address resolves with one of them counts (Core Vol 6 Part B
 * §1.3.2.3, docs/PROTOCOL.md §7), so the owner's bridge finds its own band among strangers'
 * and never acts on a stranger's. Merchants pass none and get the nearest band.
 */
import { parseAddress, resolves } from '../../shared/radio/rpa.ts';
import { Status } from '../../shared/status/codes.ts';
import { WristpayError } from '../../shared/status/error.ts';
import { asTransportError, sleep } from './deadline.ts';
import type { BandLink, BandTransport, FoundBand } from './types.ts';

/** Two bands whose RSSI differ by less than this are too close to tell apart. */
export const AMBIGUOUS_DB = 6;

export interface NearestOptions {
  /** How long to scan (default 2000 ms). */
  scanMs?: number;
  /** Per-step connect budget (default 10 000 ms). */
  connectTimeoutMs?: number;
  /** Connect attempts on the nearest band (default 2). */
  attempts?: number;
  onFound?: (band: FoundBand) => void;
  /** The owner's bands' IRKs: only a band whose address resolves with one is picked. */
  identityKeys?: readonly Uint8Array[];
}

export interface Nearest {
  /** Every band seen, nearest first. */
  found: FoundBand[];
  /** The band connected to, or null when none advertised (or, with identity keys, none of them resolved). */
  band: FoundBand | null;
  link: BandLink | null;
  /** True when a second band was within AMBIGUOUS_DB of the nearest. */
  ambiguous: boolean;
}

/** True when the band's advertised address is a resolvable private address made with one of `keys`. */
export function isOwnBand(band: FoundBand, keys: readonly Uint8Array[]): boolean {
  const address = band.address === undefined ? null : parseAddress(band.address);
  return address !== null && keys.some((k) => resolves(k, address));
}

/**
 * The owner's bands among `found`: per IRK, the advertiser heard last (a band that rotated
 * its address during the scan was heard under both, and only the newer one still answers),
 * nearest first.
 */
function ownBands(found: FoundBand[], keys: readonly Uint8Array[]): FoundBand[] {
  const out: FoundBand[] = [];
  for (const k of keys) {
    const mine = found.filter((b) => isOwnBand(b, [k]));
    if (mine.length > 0) out.push(mine.reduce((a, b) => ((b.seenAt ?? 0) > (a.seenAt ?? 0) ? b : a)));
  }
  return out.sort((a, b) => b.rssi - a.rssi);
}

export async function connectNearest(transport: BandTransport, opts: NearestOptions = {}): Promise<Nearest> {
  const found = await transport.scan({ timeoutMs: opts.scanMs ?? 2000, onFound: opts.onFound });
  const keys = opts.identityKeys;
  const candidates = keys && keys.length > 0 ? ownBands(found, keys) : found;
  if (candidates.length === 0) return { found, band: null, link: null, ambiguous: false };
  const band = candidates[0];
  const ambiguous = candidates.length > 1 && band.rssi - candidates[1].rssi < AMBIGUOUS_DB;
  const link = await connectWithRetry(transport, band.id, {
    attempts: opts.attempts ?? 2,
    timeoutMs: opts.connectTimeoutMs,
  });
  return { found, band, link, ambiguous };
}

export interface RetryOptions {
  attempts?: number;
  /** Pause between attempts, doubled each time (default 300 ms). */
  delayMs?: number;
  timeoutMs?: number;
}

/**
 * Connects to `id`, retrying transient failures (TIMEOUT, UNREACHABLE) with back-off.
 * Also the reconnect helper: call it again with the same id after a link dropped.
 */
export async function connectWithRetry(
  transport: BandTransport,
  id: string,
  opts: RetryOptions = {},
): Promise<BandLink> {
  const attempts = Math.max(1, opts.attempts ?? 3);
  let delay = opts.delayMs ?? 300;
  let last: WristpayError = new WristpayError(Status.UNREACHABLE, 'not attempted');
  for (let i = 0; i < attempts; i++) {
    try {
      return await transport.connect(id, { timeoutMs: opts.timeoutMs });
    } catch (e) {
      last = asTransportError(e, `connecting to band ${id}`);
      if (last.status !== Status.TIMEOUT && last.status !== Status.UNREACHABLE) break;
      if (i + 1 < attempts) {
        await sleep(delay);
        delay *= 2;
      }
    }
  }
  throw last;
}
