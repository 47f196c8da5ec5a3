/** Accounts, enrollment, cards and unlock grants. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCborHost } from '../../shared/cbor/host.ts';
import { decodeMessageOf, encodeMessage } from '../../shared/messages/index.ts';
import { WearState } from '../../shared/protocol/constants.ts';
import { Status } from '../../shared/status/codes.ts';
import { BandDouble } from './helpers/band-double.ts';
import { refusal } from './helpers/expect-refusal.ts';
import { PASSWORD, addCard, enrollBand, newOwner, unique, unlock } from './helpers/fixtures.ts';
import { cheapTestConfig, type Harness, startHarness } from '../../harness/checkout-harness.ts';

describe('accounts', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(cheapTestConfig);
  });
  afterAll(() => h.close());

  it('registers, logs in and out; a taken username is CONFLICT', async () => {
    const username = unique('ann');
    const account = await h.client.register({ username, password: PASSWORD, paymentPassword: '123456' });
    expect(account).toMatchObject({
      username,
      kind: 'owner',
      limitPerPayment: 200_00,
      limitPerDay: 500_00,
      hasPaymentPassword: true,
    });
    await refusal(h.client.register({ username, password: PASSWORD }), 'CONFLICT', 409);
    await refusal(h.client.register({ username: unique('bob'), password: 'short' }), 'MALFORMED', 400);
    expect((await h.client.catalogue()).issuers).toHaveLength(20);
    const me = await h.client.loginAs(username, PASSWORD);
    expect((await me.me()).username).toBe(username);
    await me.logout();
    await refusal(me.me(), 'UNAUTHORIZED', 401);
  });

  it('throttles a client without a device token after 5 failed logins: 1 min, then doubling, one try each', async () => {
    const o = await newOwner(h);
    for (let i = 0; i < 4; i++) await refusal(h.client.login(o.username, 'wrong password'), 'UNAUTHORIZED');
    await refusal(h.client.login(o.username, 'wrong password'), 'ACCOUNT_LOCKED', 423);
    await refusal(h.client.login(o.username, PASSWORD), 'ACCOUNT_LOCKED');
    h.clock.advance(60_000 + 1);
    await refusal(h.client.login(o.username, 'wrong password'), 'ACCOUNT_LOCKED'); // one try, then 2 min
    h.clock.advance(60_000 + 1);
    await refusal(h.client.login(o.username, PASSWORD), 'ACCOUNT_LOCKED');
    h.clock.advance(60_000);
    await h.client.login(o.username, PASSWORD);
    await refusal(h.client.login('nobody-' + unique('x'), PASSWORD), 'UNAUTHORIZED');
  });
});

describe('bands', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(cheapTestConfig);
  });
  afterAll(() => h.close());

  it('enrolls a band: ENROLL carries the checkout keys, the ENROLLED signature binds them', async () => {
    const o = await newOwner(h);
    const info = await h.client.info();
    const offer = await o.client.startEnrollment();
    const m = decodeMessageOf(offer.enroll, 'enroll');
    expect(m.ok && m.value.checkoutSigningKey).toEqual(info.signingKey);
    expect(m.ok && m.value.checkoutHpkeKey).toEqual(info.hpkeKey);
    const band = BandDouble.create(h.provider);
    const enrolled = band.enroll(offer.enroll);
    const view = await o.client.completeEnrollment(offer.enrollId, enrolled, 'blue band');
    expect(view).toMatchObject({ deviceId: band.deviceId, name: 'blue band', status: 'active', cards: [] });
    // The offer is single use; a fresh offer cannot enroll the same band twice.
    await refusal(o.client.completeEnrollment(offer.enrollId, enrolled), 'NOT_FOUND');
    const second = await o.client.startEnrollment();
    await refusal(o.client.completeEnrollment(second.enrollId, band.enroll(second.enroll)), 'ALREADY_ENROLLED', 409);
  });

  it('refuses a forged enrollment signature, an off-curve key and an expired offer', async () => {
    const o = await newOwner(h);
    const band = BandDouble.create(h.provider);
    let offer = await o.client.startEnrollment();
    const good = decodeMessageOf(band.enroll(offer.enroll), 'enrolled');
    if (!good.ok) throw new Error('unreachable');
    const forged = { ...good.value, signature: good.value.signature.slice() };
    forged.signature[10] ^= 1;
    await refusal(
      o.client.completeEnrollment(offer.enrollId, encodeMessage(forged, encodeCborHost)),
      'BAD_SIGNATURE',
      400,
    );
    offer = await o.client.startEnrollment();
    const offCurve = { ...good.value, hpkeKey: good.value.hpkeKey.slice() };
    offCurve.hpkeKey[64] ^= 1;
    await refusal(
      o.client.completeEnrollment(offer.enrollId, encodeMessage(offCurve, encodeCborHost)),
      'INVALID_KEY',
      400,
    );
    offer = await o.client.startEnrollment();
    h.clock.advance(5 * 60_000 + 1);
    await refusal(o.client.completeEnrollment(offer.enrollId, band.enroll(offer.enroll)), 'EXPIRED', 410);
  });

  it('provisions cards as token references, at most 8 per band (the 9th is WALLET_FULL)', async () => {
    const o = await newOwner(h);
    const { band, deviceId } = await enrollBand(h, o);
    const { card, challenge } = await o.client.addCard(deviceId, {
      issuerId: 'cmb',
      cardNumber: '6225 8801 3770 6637',
    });
    expect(card).toMatchObject({ kind: 'bank', issuer: 'China Merchants Bank', state: 'pending', isDefault: true });
    expect(card.cardRef).toMatch(/^tok_[a-z2-7]{8}$/); // travels on the air: 8 characters
    expect(card.last4).toMatch(/^[0-9]{4}$/);
    const opened = band.open(challenge.message);
    expect(opened.body).toMatchObject({
      kind: 'provision',
      card: { kind: 'bank', cardRef: card.cardRef, issuer: 'China Merchants Bank', last4: card.last4 },
    });
    expect(JSON.stringify(opened.body)).not.toContain('6225');
    const done = await o.client.answer(challenge.challengeId, band.answerOk(opened));
    expect(done.card?.state).toBe('active');
    expect(band.readResult(opened, done.result)).toEqual({ status: Status.OK });
    await refusal(
      o.client.addCard(deviceId, { issuerId: 'icbc', cardNumber: '4111 1111 1111 1112' }),
      'MALFORMED',
      400,
    );
    await refusal(o.client.addCard(deviceId, { issuerId: 'no-such-bank' }), 'NOT_FOUND');
    for (let i = 0; i < 6; i++) await addCard(o, band, deviceId, { issuerId: 'boc' });
    await addCard(o, band, deviceId, { cityId: 'hongkong' });
    await refusal(o.client.addCard(deviceId, { issuerId: 'icbc' }), 'WALLET_FULL', 409);
    const cards = (await o.client.band(deviceId)).cards;
    expect(cards).toHaveLength(8);
    // One default per kind: the first bank card, and the (only) transit card.
    expect(cards.filter((c) => c.isDefault).map((c) => c.kind)).toEqual(['bank', 'transit']);
    // Removing one frees a slot once the band confirms.
    const removal = await o.client.removeCard(deviceId, cards[1].cardRef);
    await o.client.answer(removal.challengeId, band.answerOk(band.open(removal.message)));
    expect((await o.client.band(deviceId)).cards).toHaveLength(7);
    await addCard(o, band, deviceId, { issuerId: 'hsbc-hk' });
  });

  it('a card the band refuses is marked failed, and another account cannot touch the band', async () => {
    const o = await newOwner(h);
    const other = await newOwner(h);
    const { band, deviceId } = await enrollBand(h, o);
    const { card, challenge } = await o.client.addCard(deviceId, { issuerId: 'icbc' });
    const err = await refusal(
      o.client.answer(challenge.challengeId, band.answer(band.open(challenge.message), { status: Status.WALLET_FULL })),
      'WALLET_FULL',
    );
    expect(err.result).toBeInstanceOf(Uint8Array);
    expect((await o.client.band(deviceId)).cards.find((c) => c.cardRef === card.cardRef)?.state).toBe('failed');
    await refusal(other.client.band(deviceId), 'FORBIDDEN', 403);
    await refusal(other.client.addCard(deviceId, { issuerId: 'icbc' }), 'FORBIDDEN');
    await refusal(other.client.revokeBand(deviceId), 'FORBIDDEN');
  });

  it("grants an unlock for the hello's nonce with the account limits, once per wear", async () => {
    const o = await newOwner(h);
    const { band, deviceId } = await enrollBand(h, o);
    expect(band.wearState).toBe(WearState.WORN_LOCKED);
    await refusal(h.client.unlock(band.hello(), o.username, 'not the password'), 'UNAUTHORIZED');
    const c = await h.client.unlock(band.hello(), o.username, PASSWORD);
    const opened = band.open(c.message);
    expect(opened.body).toMatchObject({
      kind: 'unlock',
      bandNonce: band.unlockNonce,
      sessionMaxAgeMs: 24 * 3600_000,
      limitPerPayment: 200_00,
      limitPerDay: 500_00,
    });
    await h.client.answer(c.challengeId, band.answerOk(opened));
    expect((await o.client.band(deviceId)).unlockedAt).not.toBeNull();
    const someoneElse = await newOwner(h);
    await refusal(h.client.unlock(band.hello(), someoneElse.username, PASSWORD), 'FORBIDDEN');
    // Unlocked, the band's hello carries no nonce: there is nothing to grant.
    expect(band.wearState).toBe(WearState.WORN_UNLOCKED);
    await refusal(h.client.unlock(band.hello(), o.username, PASSWORD), 'ALREADY_UNLOCKED', 422);
    band.wearState = WearState.CHARGING;
    await refusal(h.client.unlock(band.hello(), o.username, PASSWORD), 'CHARGING');
    band.wearState = WearState.OFF_WRIST;
    await refusal(h.client.unlock(band.hello(), o.username, PASSWORD), 'NOT_WORN');
    band.wearState = WearState.WORN_LOCKED;
    await unlock(h, o, band);
  });

  it('does not know a band that was never enrolled', async () => {
    const o = await newOwner(h);
    const { band } = await enrollBand(h, o);
    const stranger = BandDouble.create(h.provider);
    stranger.enroll((await o.client.startEnrollment()).enroll); // pins our keys but never completes
    await refusal(h.client.unlock(stranger.hello(), o.username, PASSWORD), 'UNKNOWN_DEVICE', 404);
    expect(band.deviceId).toMatch(/^[0-9a-f]{32}$/);
  });
});
