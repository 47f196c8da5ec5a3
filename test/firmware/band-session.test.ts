import { describe, expect, it } from 'vitest';
import { CborMap } from '../../shared/cbor/types.ts';
import { decodeSign1 } from '../../shared/cose/sign1.ts';
import { decodeClaims, type TokenClaims } from '../../shared/cose/token.ts';
import { Status } from '../../shared/status/codes.ts';
import { BandFixture, bankCard } from '../support/band-fixture.ts';

function claimsOf(token: Uint8Array): TokenClaims {
  const s = decodeSign1(token, true);
  if (!s.ok) throw new Error('token does not parse');
  const c = decodeClaims(s.value.payload);
  if (!c.ok) throw new Error('claims do not parse');
  return c.value;
}

describe('band: wear session', () => {
  it('debounces sensor noise: a short off-skin blip keeps the session', () => {
    const f = BandFixture.ready();
    f.env.wear.sample(false);
    f.env.clock.advance(1000);
    f.env.wear.sample(true);
    f.env.clock.advance(5000);
    expect(f.status().state).toBe('worn-unlocked');
    expect(f.pay(100).status).toBe(Status.OK);
  });

  it('confirms a removal after the debounce window and destroys the session at once', () => {
    const f = BandFixture.ready();
    f.env.wear.sample(false);
    f.env.clock.advance(1499);
    expect(f.status().state).toBe('worn-unlocked');
    f.env.clock.advance(2);
    expect(f.status().state).toBe('off-wrist');
    f.driver.putOn();
    expect(f.status().state).toBe('worn-locked');
  });

  it('charging destroys the session; unplugging while worn starts a fresh locked wear', () => {
    const f = BandFixture.ready();
    f.env.charger.plug();
    expect(f.status().state).toBe('charging');
    expect(f.pay(100).status).toBe(Status.CHARGING);
    f.env.charger.unplug();
    expect(f.status().state).toBe('worn-locked');
    expect(f.pay(100).status).toBe(Status.LOCKED);
  });

  it('refuses a grant for a nonce of an earlier wear (stale) with EXPIRED', () => {
    const f = BandFixture.enrolled();
    f.provision(bankCard);
    f.driver.putOn();
    const oldNonce = f.hello().unlockNonce!;
    f.driver.takeOff();
    f.driver.putOn();
    const a = f.exchange({
      kind: 'unlock',
      ...f.common(),
      bandNonce: oldNonce,
      sessionMaxAgeMs: 3600000,
      limitPerPayment: 100,
      limitPerDay: 100,
    });
    expect(a.status).toBe(Status.EXPIRED);
    expect(f.status().state).toBe('worn-locked');
  });

  it('a grant cannot be used twice, even within one wear', () => {
    const f = BandFixture.enrolled();
    f.driver.putOn();
    const hello = f.hello();
    const grant = {
      kind: 'unlock' as const,
      ...f.common(),
      bandNonce: hello.unlockNonce!,
      sessionMaxAgeMs: 3600000,
      limitPerPayment: 100,
      limitPerDay: 100,
    };
    expect(f.exchange(grant).status).toBe(Status.OK);
    // The same signed challenge replayed by a relay: nonce already seen.
    f.driver.send(f.lastChallenge!.message);
    expect(f.checkout.openAnswer(f.lastChallenge!, f.driver.expect('answer')).status).toBe(Status.REPLAYED);
    // A fresh challenge for the spent band nonce: stale.
    expect(f.exchange({ ...grant, nonce: f.checkout.nonce() }).status).toBe(Status.EXPIRED);
  });

  it('backs off after repeated wrong grants', () => {
    const f = BandFixture.enrolled();
    f.driver.putOn();
    const bad = () =>
      f.exchange({
        kind: 'unlock',
        ...f.common(),
        bandNonce: new Uint8Array(16),
        sessionMaxAgeMs: 3600000,
        limitPerPayment: 100,
        limitPerDay: 100,
      });
    expect(bad().status).toBe(Status.EXPIRED);
    expect(bad().status).toBe(Status.EXPIRED);
    expect(bad().status).toBe(Status.EXPIRED);
    // Even a correct grant waits out the back-off.
    expect(f.unlock().status).toBe(Status.BACKOFF);
    f.env.clock.advance(2001);
    expect(f.unlock().status).toBe(Status.OK);
  });

  it('ends the session at its maximum age', () => {
    const f = BandFixture.enrolled({ config: { sessionMaxAgeMs: 60000 } });
    f.provision(bankCard);
    f.driver.putOn();
    expect(f.unlock().status).toBe(Status.OK);
    f.env.clock.advance(59000);
    expect(f.status().state).toBe('worn-unlocked');
    f.env.clock.advance(1001);
    expect(f.status().state).toBe('worn-locked');
  });
});

describe('band: challenge guards', () => {
  it('refuses expired, far-future, replayed and other-device challenges', () => {
    const f = BandFixture.ready();
    expect(f.pay(100, { expiry: f.expiryIn(-1) }).status).toBe(Status.EXPIRED);
    expect(f.pay(100, { expiry: f.expiryIn(3600) }).status).toBe(Status.EXPIRED);
    expect(f.pay(100, { deviceId: new Uint8Array(16) }).status).toBe(Status.WRONG_DEVICE);
    const ok = f.payment(100);
    expect(f.exchange(ok).status).toBe(Status.OK);
    expect(f.exchange({ ...ok }).status).toBe(Status.REPLAYED);
  });

  // Expiry is in whole seconds (CWT NumericDate); the band compares it with wallMs / 1000, exactly.
  it('expiry in seconds, exact at the millisecond: refused from expiry × 1000 ms on, accepted one ms before', () => {
    const f = BandFixture.ready();
    f.env.clock.setWall(Date.UTC(2025, 0, 1, 12, 0, 0, 250)); // mid-second
    const e = Math.floor(f.now() / 1000);
    expect(f.pay(100, { expiry: e }).status).toBe(Status.EXPIRED); // 250 ms past e
    expect(f.pay(100, { expiry: e + 1 }).status).toBe(Status.OK); // 750 ms ahead
    f.env.clock.setWall((e + 2) * 1000 - 1);
    expect(f.pay(100, { expiry: e + 2 }).status).toBe(Status.OK); // 1 ms ahead
    f.env.clock.setWall((e + 3) * 1000);
    expect(f.pay(100, { expiry: e + 3 }).status).toBe(Status.EXPIRED); // exactly now
  });

  it('bounds the lifetime exactly: at most maxChallengeLifetimeMs (600 s) ahead', () => {
    const f = BandFixture.ready();
    f.env.clock.setWall(Date.UTC(2025, 0, 1, 12, 0, 0, 0)); // on a second
    const e = f.now() / 1000;
    expect(f.pay(100, { expiry: e + 600 }).status).toBe(Status.OK);
    expect(f.pay(100, { expiry: e + 601 }).status).toBe(Status.EXPIRED);
    f.env.clock.setWall(f.now() + 1); // 1 ms later, e + 600 is 599.999 s ahead
    expect(f.pay(100, { expiry: e + 600 }).status).toBe(Status.OK);
  });

  it('signs the token time in seconds (CWT NumericDate)', () => {
    const f = BandFixture.ready();
    f.env.clock.setWall(Date.UTC(2025, 0, 1, 12, 0, 0, 999));
    const answer = f.pay(100);
    expect(answer.status).toBe(Status.OK);
    expect(claimsOf(answer.token!).time).toBe(Date.UTC(2025, 0, 1, 12, 0, 0) / 1000);
  });

  it('refuses a challenge signed by a key other than the pinned checkout key', () => {
    const f = BandFixture.ready();
    const rogue = f.checkout.provider.p256Generate();
    const c = f.checkout.challenge(f.identity, f.payment(100), rogue);
    f.driver.send(c.message);
    expect(f.checkout.openAnswer(c, f.driver.expect('answer')).status).toBe(Status.BAD_SIGNATURE);
    expect(f.band.stats.signatures).toBe(0);
  });

  it('refuses a challenge whose protected header is not exactly {1: -7} (the old kid form included), sealed MALFORMED', () => {
    const f = BandFixture.ready();
    const keyId = f.checkout.provider.sha256(f.checkout.signingPub).subarray(0, 16);
    for (const header of [new CborMap([1, 4], [-7, keyId]), new CborMap([1, 3], [-7, 0]), new CborMap([1], [-35])]) {
      const c = f.checkout.challenge(f.identity, f.payment(100), f.checkout.signing, header);
      f.driver.send(c.message);
      expect(f.checkout.openAnswer(c, f.driver.expect('answer')).status).toBe(Status.MALFORMED);
    }
    expect(f.pay(100).status).toBe(Status.OK);
    expect(f.band.stats.signatures).toBe(1);
  });

  it('refuses a tampered ciphertext in the clear (no context to seal to)', () => {
    const f = BandFixture.ready();
    const c = f.checkout.challenge(f.identity, f.payment(100));
    const ct = c.message.ct.slice();
    ct[10] ^= 1;
    f.driver.send({ ...c.message, ct });
    expect(f.driver.expect('error').status).toBe(Status.DECRYPT_FAILED);
    const enc = c.message.enc.slice();
    enc[30] ^= 1;
    f.driver.send({ ...c.message, enc });
    expect([Status.INVALID_KEY, Status.DECRYPT_FAILED]).toContain(f.driver.expect('error').status);
  });

  it('refuses an unknown card, a 9th card, and removes cards on request', () => {
    const f = BandFixture.ready();
    expect(f.pay(100, { cardRef: 'tok_nope' }).status).toBe(Status.CARD_NOT_FOUND);
    for (let i = 0; i < 6; i++)
      expect(f.provision({ ...bankCard, cardRef: 'tok_extra_' + i, isDefault: false }).status).toBe(Status.OK);
    expect(f.status().cards.length).toBe(8);
    expect(f.provision({ ...bankCard, cardRef: 'tok_ninth', isDefault: false }).status).toBe(Status.WALLET_FULL);
    expect(f.exchange({ kind: 'remove-card', ...f.common(), cardRef: 'tok_extra_0' })).toMatchObject({
      status: Status.OK,
      cardCount: 7,
    });
    expect(f.exchange({ kind: 'remove-card', ...f.common(), cardRef: 'tok_extra_0' }).status).toBe(
      Status.CARD_NOT_FOUND,
    );
  });

  it('keeps cards and counters across a reboot; the counter only goes up', () => {
    const f = BandFixture.ready();
    expect(f.pay(100).status).toBe(Status.OK);
    expect(f.pay(100).status).toBe(Status.OK);
    f.driver.reboot();
    expect(f.status().cards.find((c) => c.cardRef === bankCard.cardRef)?.counter).toBe(2);
    f.unlock();
    expect(f.pay(100).status).toBe(Status.OK);
    expect(f.status().cards.find((c) => c.cardRef === bankCard.cardRef)?.counter).toBe(3);
  });

  it('answers link-level garbage with ERROR frames and keeps working', () => {
    const f = BandFixture.ready();
    f.driver.writeRaw(new Uint8Array([0x83, 0x00, 0x05, 0xa0]));
    f.driver.writeRaw(new Uint8Array([0x83, 0x00, 0x01, 0x00]));
    const errors = f.driver.received().filter((r) => r.message.type === 'error');
    expect(errors.length).toBeGreaterThanOrEqual(1);
    f.driver.writeRaw(new Uint8Array([0x05, 0x01]));
    expect(f.driver.expect('error').status).toBe(Status.INVALID_SEQUENCE);
    expect(f.pay(100).status).toBe(Status.OK);
  });
});

describe('band: damaged flash', () => {
  it('refuses to sign after the journal reports damage (a lost counter could repeat), until re-enrolled', () => {
    const f = BandFixture.ready();
    expect(f.pay(100).status).toBe(Status.OK);
    const before = f.env.flash.snapshot().bytes;
    expect(f.pay(100).status).toBe(Status.OK);
    const after = f.env.flash.snapshot().bytes;
    // Damage the first byte the last payment's commit wrote (its body, not its commit word,
    // which would read as an interrupted write): the entry's checksum no longer holds.
    let at = -1;
    for (let i = 0; i < after.length && at < 0; i++) if (after[i] !== before[i]) at = i;
    expect(at).toBeGreaterThanOrEqual(0);
    const page = Math.floor(at / f.env.flash.pageSize);
    f.env.flash.flipBit(page, at % f.env.flash.pageSize, 0);
    f.driver.reboot();
    expect(f.status().storage).toBe(Status.STORAGE_CORRUPT);
    f.unlock();
    const refused = f.pay(100);
    expect(refused.status).toBe(Status.STORAGE_CORRUPT);
    expect(refused.token).toBeUndefined();
    // A wipe and a fresh enrollment start a clean wallet: signing resumes.
    expect(f.exchange({ kind: 'wipe', ...f.common() }).status).toBe(Status.OK);
    f.enroll();
    f.provision(bankCard);
    f.unlock();
    expect(f.pay(100).status).toBe(Status.OK);
  });
});
