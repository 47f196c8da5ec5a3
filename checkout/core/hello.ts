/**
 * Opening a band's HELLO. The hello is sealed to the checkout's HPKE key (info
 * "wristpay/1 hello"), so only here does the relay's opaque blob become a device id.
 * A revoked band is answered with REVOKED and a WIPE challenge, whatever it came for:
 * that is how the wipe reaches a lost band the next time any bridge sees it.
 */
import { type HelloBody, decodeHelloBody, decodeMessageOf } from '../../shared/messages/index.ts';
import { WearState } from '../../shared/protocol/constants.ts';
import { Status } from '../../shared/status/codes.ts';
import type { BandRow, TerminalRow } from '../store.ts';
import { deviceIdHex } from './band-identity.ts';
import type { Ctx } from './context.ts';
import { openHello } from './envelope.ts';
import { reloadKeysOnMiss } from './key-reload.ts';
import { ringIfAsked } from './find-band.ts';
import { refuseWithChallenge } from './queued-challenge.ts';
import { recordContact } from './last-seen.ts';
import { refuse } from './errors.ts';

export interface OpenedHello {
  band: BandRow;
  body: HelloBody;
}

/** Decodes the clear-text HELLO; MALFORMED and friends before any work is spent on it. */
export function decodeHello(bytes: Uint8Array): { enc: Uint8Array; ct: Uint8Array } {
  const m = decodeMessageOf(bytes, 'hello');
  if (!m.ok) refuse(m.status, `hello: ${m.detail ?? 'not a HELLO message'}`);
  return m.value;
}

/** Every key of the ring in turn (the active one first): a band seals to the one key it holds. */
function openWithRing(
  ctx: Ctx,
  hello: { enc: Uint8Array; ct: Uint8Array },
): { plain: Uint8Array; heldKey: number } | null {
  for (const k of ctx.keys.ring) {
    const plain = openHello(ctx.provider, k.hpke, hello.enc, hello.ct);
    if (plain) return { plain, heldKey: k.id };
  }
  return null;
}

/**
 * The band behind a hello. `terminal` is the one that carried it: the band's contact there is
 * recorded (last-seen.ts) before anything is refused. Null when none did (an unlock): the
 * caller records the contact once it knows the hello came with the owner's password.
 */
export async function identifyBand(
  ctx: Ctx,
  helloBytes: Uint8Array,
  terminal: TerminalRow | null,
): Promise<OpenedHello> {
  const hello = decodeHello(helloBytes);
  let opened = openWithRing(ctx, hello);
  // Another instance may have rotated the ring and moved this band already (key-reload.ts).
  if (!opened && (await reloadKeysOnMiss(ctx))) opened = openWithRing(ctx, hello);
  if (!opened) refuse(Status.DECRYPT_FAILED, "hello does not open with this checkout's keys");
  const { plain, heldKey } = opened;
  const body = decodeHelloBody(plain);
  if (!body.ok) refuse(body.status, `hello body: ${body.detail ?? ''}`);
  let band = await ctx.store.bands.byId(deviceIdHex(body.value.deviceId));
  if (!band) refuse(Status.UNKNOWN_DEVICE, 'no band with this identity is enrolled here');
  // The key that opened the hello is the one the band holds, whatever we last recorded (a key
  // update's answer can be lost after the band has taken it: PROTOCOL.md §8).
  if (band.checkoutKey !== heldKey) {
    await ctx.store.bands.setCheckoutKey(band.deviceId, heldKey);
    band = { ...band, checkoutKey: heldKey };
  }
  // A revoked band's contacts count most: its owner is looking for it.
  if (terminal) await recordContact(ctx, band, terminal, body.value.battery);
  if (band.status !== 'active') await refuseRevoked(ctx, band);
  // The owner is looking for it: it rings instead (find-band.ts).
  if (terminal) await ringIfAsked(ctx, band, body.value);
  return { band, body: body.value };
}

/** REVOKED, carrying a fresh WIPE challenge until the band has confirmed one (single-use nonce like any other). */
export async function refuseRevoked(ctx: Ctx, band: BandRow): Promise<never> {
  if (band.status === 'wiped') refuse(Status.REVOKED, 'this band was turned off and has been wiped');
  return refuseWithChallenge(ctx, band, 'wipe', Status.REVOKED, {
    delivered: 'wrist payments are turned off for this band; deliver the wipe challenge',
    later: 'wrist payments are turned off for this band; present it again in a minute for its wipe',
  });
}

/** Refuses a hello whose wear state cannot lead to a payment (saves the band a round trip). */
export function requireWorn(body: HelloBody, needUnlocked: boolean): void {
  if (body.wearState === WearState.CHARGING) refuse(Status.CHARGING, 'the band is on its charger');
  if (body.wearState === WearState.OFF_WRIST) refuse(Status.NOT_WORN, 'the band is not on a wrist');
  if (needUnlocked && body.wearState !== WearState.WORN_UNLOCKED)
    refuse(Status.LOCKED, 'the band is worn but locked; unlock it first');
}
