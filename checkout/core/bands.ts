/**
 * Bands: enrollment (ENROLL → ENROLLED, docs/PROTOCOL.md §3), listing and revocation.
 *
 * Enrollment binds a band to the logged-in account. The band proves it holds the signing
 * key by signing the CBOR array ["wristpay/1 enroll", nonce, checkoutSigningKey,
 * checkoutHpkeKey, signingKey, hpkeKey]; the nonce comes from an offer that is single-use
 * and short-lived, so an ENROLLED cannot be replayed into another account.
 */
import { encodeCborHost } from '../../shared/cbor/host.ts';
import { encodeMessage, decodeMessageOf } from '../../shared/messages/index.ts';
import { Label, Size } from '../../shared/protocol/constants.ts';
import { Status } from '../../shared/status/codes.ts';
import type { BandRow } from '../store.ts';
import { deviceIdOf } from './band-identity.ts';
import type { Ctx } from './context.ts';
import { refuse } from './errors.ts';
import { newId } from './ids.ts';
import { setRingRequest } from './find-band.ts';
import { foundBandView } from './last-seen.ts';
import type { FoundBandView } from '../api/views.ts';
import { type BandView, bandView } from './views.ts';

export interface EnrollOffer {
  enrollId: string;
  message: Uint8Array;
  expiresAt: number;
}

export class Bands {
  constructor(private readonly ctx: Ctx) {}

  async startEnrollment(accountId: string): Promise<EnrollOffer> {
    const { provider, keys, clock, config, store } = this.ctx;
    const nonce = provider.randomBytes(Size.NONCE);
    const offer = { id: newId(provider, 'enr'), accountId, nonce, expiresAt: clock() + config.enrollTtlMs };
    await store.accounts.createEnrollOffer(offer);
    const message = encodeMessage(
      { type: 'enroll', checkoutSigningKey: keys.signingPublic, checkoutHpkeKey: keys.hpkePublic, nonce },
      encodeCborHost,
    );
    return { enrollId: offer.id, message, expiresAt: offer.expiresAt };
  }

  async completeEnrollment(
    accountId: string,
    enrollId: string,
    enrolledBytes: Uint8Array,
    name: string,
  ): Promise<BandView> {
    const { provider, keys, clock, store } = this.ctx;
    if (name.length > 32) refuse(Status.MALFORMED, 'name: at most 32 characters');
    const m = decodeMessageOf(enrolledBytes, 'enrolled');
    if (!m.ok) refuse(m.status, `enrolled: ${m.detail ?? ''}`);
    const offer = await store.accounts.takeEnrollOffer(enrollId);
    if (!offer || offer.accountId !== accountId) refuse(Status.NOT_FOUND, 'no such enrollment offer for this account');
    if (offer.expiresAt <= clock()) refuse(Status.EXPIRED, 'the enrollment offer expired; start again');
    const e = m.value;
    if (!provider.p256IsValidPublic(e.signingKey) || !provider.p256IsValidPublic(e.hpkeKey))
      refuse(Status.INVALID_KEY, 'a band key is not a P-256 point on the curve');
    const signed = encodeCborHost([
      Label.ENROLL,
      offer.nonce,
      keys.signingPublic,
      keys.hpkePublic,
      e.signingKey,
      e.hpkeKey,
    ]);
    if (!provider.p256Verify(e.signingKey, signed, e.signature))
      refuse(Status.BAD_SIGNATURE, 'the enrollment signature does not verify');
    const row: BandRow = {
      deviceId: deviceIdOf(provider, e.signingKey),
      accountId,
      name: name || 'band',
      signingKey: e.signingKey,
      hpkeKey: e.hpkeKey,
      status: 'active',
      enrolledAt: clock(),
      revokedAt: null,
      wipedAt: null,
      unlockedAt: null,
      checkoutKey: keys.id,
      lastSeenAt: null,
      lastSeenTerminal: null,
      lastSeenBattery: null,
      findRequestedAt: null,
      rangAt: null,
    };
    const created = await store.bands.create(row);
    if (!created.ok) refuse(created.status, 'this band is already enrolled; wipe it before enrolling again');
    return bandView(row, []);
  }

  /** The account's band; NOT_FOUND if unknown, FORBIDDEN if another account's, REVOKED if `active` is asked. */
  async owned(accountId: string, deviceId: string, active: boolean): Promise<BandRow> {
    const band = await this.ctx.store.bands.byId(deviceId);
    if (!band) refuse(Status.NOT_FOUND, `no band ${deviceId}`);
    if (band.accountId !== accountId) refuse(Status.FORBIDDEN, 'that band belongs to another account');
    if (active && band.status !== 'active') refuse(Status.REVOKED, 'wrist payments are turned off for this band');
    return band;
  }

  async list(accountId: string): Promise<BandView[]> {
    const bands = await this.ctx.store.bands.byAccount(accountId);
    return Promise.all(bands.map(async (b) => bandView(b, await this.ctx.store.bands.cards(b.deviceId))));
  }

  /** The account's band with its cards. */
  async get(accountId: string, deviceId: string): Promise<BandView> {
    const band = await this.owned(accountId, deviceId, false);
    return bandView(band, await this.ctx.store.bands.cards(deviceId));
  }

  /** The account's band and its last contact: NOT_FOUND if unknown, FORBIDDEN if another account's. */
  async find(accountId: string, deviceId: string): Promise<FoundBandView> {
    return foundBandView(this.ctx, await this.owned(accountId, deviceId, false));
  }

  /** Asks the owner's band to ring at its next contact (ring), or withdraws the request. */
  async ring(accountId: string, deviceId: string, ring: boolean): Promise<FoundBandView> {
    await setRingRequest(this.ctx, await this.owned(accountId, deviceId, false), ring);
    return this.find(accountId, deviceId);
  }

  async findAll(accountId: string): Promise<FoundBandView[]> {
    const bands = await this.ctx.store.bands.byAccount(accountId);
    return Promise.all(bands.map((b) => foundBandView(this.ctx, b)));
  }

  /** The owner turns wrist payments off (web page, API); effective for the very next request. */
  async revoke(accountId: string, deviceId: string): Promise<BandView> {
    await this.owned(accountId, deviceId, false);
    return this.revokeAny(deviceId);
  }

  /** Revocation without a session: the owner CLI on the checkout host (`wristpay checkout revoke`). */
  async revokeAny(deviceId: string): Promise<BandView> {
    const band = await this.ctx.store.bands.revoke(deviceId, this.ctx.clock());
    if (!band) refuse(Status.NOT_FOUND, `no band ${deviceId}`);
    return bandView(band, await this.ctx.store.bands.cards(deviceId));
  }
}
