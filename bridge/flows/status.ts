/**
 * What the bridge can tell about the band at hand and the account: the band's clear-text
 * INFO (firmware, enrolled, message size) and link MTU; with a paired terminal, the
 * checkout's view of its wear state from a sealed HELLO (which is also how a revoked
 * band found by this bridge gets its queued wipe); with an owner login, the account's
 * bands and cards.
 */
import { WearState } from '../../shared/protocol/constants.ts';
import { Status } from '../../shared/status/codes.ts';
import type { Api, CheckoutClient } from '../../checkout/api/client.ts';
import type { BandSession } from '../relay/band-session.ts';
import { type Outcome, type Refusal, type WipeReport, attempt, ok, refusalOf } from './outcome.ts';
import { type RelayOptions, checkoutRefusal, readHello } from './relay-challenge.ts';

const WEAR_NAMES: Record<number, string> = {
  [WearState.OFF_WRIST]: 'off-wrist',
  [WearState.WORN_LOCKED]: 'worn-locked',
  [WearState.WORN_UNLOCKED]: 'worn-unlocked',
  [WearState.CHARGING]: 'charging',
};

export interface BandStatusReport {
  mtu: number;
  firmware: string | null;
  enrolled: boolean | null;
  maxMessageSize: number | null;
  /** The checkout's reading of the band's sealed hello (needs a paired terminal). */
  wearState?: string;
  /** Why the checkout (or band) could not say. */
  presence?: Omit<Refusal, 'wipe' | 'ring'>;
  wipe?: WipeReport;
  /** Its owner is looking for it: whether it rang. */
  ring?: WipeReport;
}

export interface StatusReport {
  band: BandStatusReport | null;
  /** The owner's bands and cards (needs an owner login). */
  bands?: Api.BandView[];
}

export async function status(
  session: BandSession | null,
  opts: RelayOptions & { terminal?: CheckoutClient; owner?: CheckoutClient } = {},
): Promise<Outcome<StatusReport>> {
  const report: StatusReport = { band: null };
  if (session?.connected) report.band = await bandReport(session, opts);
  if (opts.owner) {
    const bands = await attempt('checkout', () => (opts.owner as CheckoutClient).bands());
    if (!bands.ok) return bands;
    report.bands = bands.value;
  }
  return ok(report);
}

async function bandReport(
  session: BandSession,
  opts: RelayOptions & { terminal?: CheckoutClient },
): Promise<BandStatusReport> {
  const r: BandStatusReport = { mtu: session.mtu, firmware: null, enrolled: null, maxMessageSize: null };
  try {
    const info = await session.readInfo();
    r.firmware = info.firmware;
    r.enrolled = info.enrolled;
    r.maxMessageSize = info.maxMessageSize;
  } catch (e) {
    r.presence = strip(refusalOf(e, 'band'));
    return r;
  }
  if (!r.enrolled || !opts.terminal) return r;
  const hello = await readHello(session, opts);
  if (!hello.ok) {
    r.presence = strip(hello);
    return r;
  }
  try {
    const seen = await opts.terminal.hello(hello.value.bytes);
    r.wearState = WEAR_NAMES[seen.wearState] ?? `unknown (${seen.wearState})`;
  } catch (e) {
    const refused = await checkoutRefusal(e, opts.terminal, session, opts);
    r.presence = strip(refused);
    if (refused.wipe) r.wipe = refused.wipe;
    if (refused.ring) r.ring = refused.ring;
    if (refused.status === Status.REVOKED) r.wearState = undefined;
  }
  return r;
}

function strip(r: Refusal): Omit<Refusal, 'wipe' | 'ring'> {
  const { wipe: _w, ring: _r, ...rest } = r;
  return rest;
}
