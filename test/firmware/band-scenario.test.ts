import { describe, expect, it } from 'vitest';
import { verifyToken } from '../../shared/cose/token-verify.ts';
import { decodeClaims, type TokenClaims } from '../../shared/cose/token.ts';
import { decodeSign1 } from '../../shared/cose/sign1.ts';
import { TokenFlag } from '../../shared/protocol/constants.ts';
import { Status } from '../../shared/status/codes.ts';
import { BandFixture, bankCard, transitCard } from '../support/band-fixture.ts';

function claimsOf(token: Uint8Array): TokenClaims {
  const s = decodeSign1(token, true);
  if (!s.ok) throw new Error('token does not parse');
  const c = decodeClaims(s.value.payload);
  if (!c.ok) throw new Error('claims do not parse');
  return c.value;
}

describe('band: the whole wear → unlock → pay story', () => {
  it('enrolls, publishes info, and answers a hello that only the checkout can open', () => {
    const f = BandFixture.enrolled();
    const info = f.env.radio.readInfo();
    expect(info.length).toBeGreaterThan(0);
    f.driver.putOn();
    const hello = f.hello();
    expect(Buffer.from(hello.deviceId).equals(Buffer.from(f.identity.deviceId))).toBe(true);
    expect(hello.wearState).toBe(1);
    expect(hello.unlockNonce?.length).toBe(16);
    // Unlocked, the band needs no grant: its hello carries no nonce (and never the firmware version).
    expect(f.unlock().status).toBe(Status.OK);
    expect(f.hello()).toEqual({ deviceId: f.identity.deviceId, wearState: 2 });
  });

  it('pays under the limit without a button, with a token the checkout verifies', () => {
    const f = BandFixture.ready();
    const ch = f.payment(1234);
    const answer = f.exchange(ch);
    expect(answer.status).toBe(Status.OK);
    const verdict = verifyToken(f.checkout.provider, answer.token!, f.identity.signingKey, {
      deviceId: f.identity.deviceId,
      amount: 1234,
      currency: 'CNY',
      merchantId: 'm_1',
      terminalId: 't_1',
      orderId: ch.orderId,
      checkoutNonce: ch.nonce,
      cardRef: bankCard.cardRef,
      lastCounter: 0,
    });
    expect(verdict).toMatchObject({ verified: true });
    const claims = claimsOf(answer.token!);
    expect(claims.counter).toBe(1);
    expect(claims.flags).toBe(TokenFlag.WORN | TokenFlag.UNLOCKED);
    expect(f.env.display.text()).toContain('CNY 12.34');
    // The result from the checkout is shown on the band.
    f.driver.send(f.checkout.result(f.lastChallenge!, Status.OK));
    // The RESULT carries only the status: the band words it from the payment it answered.
    expect(f.env.display.current).toEqual(['Approved', 'Paid CNY 12.34']);
  });

  it('words each RESULT from its status and the challenge it answers', () => {
    const f = BandFixture.ready();
    f.pay(1234);
    f.driver.send(f.checkout.result(f.lastChallenge!, Status.LIMIT_EXCEEDED));
    expect(f.env.display.current).toEqual(['Declined', 'Not confirmed']);
    f.driver.takeOff();
    f.driver.putOn();
    expect(f.unlock().status).toBe(Status.OK);
    f.driver.send(f.checkout.result(f.lastChallenge!, Status.OK));
    expect(f.env.display.current).toEqual(['Unlocked']);
    f.provision({ ...bankCard, cardRef: 'tok_bank_2', isDefault: false, currency: 'HKD' }); // another currency: no card to switch to
    f.driver.send(f.checkout.result(f.lastChallenge!, Status.OK));
    expect(f.env.display.current).toEqual(['Card added']);
    f.pay(500);
    f.driver.send(f.checkout.result(f.lastChallenge!, Status.REVOKED));
    expect(f.env.display.current).toEqual(['Declined', 'Code ' + Status.REVOKED]);
  });

  it('above the limit: shows the amount, sends keep-alives, signs only after the button', () => {
    const f = BandFixture.ready();
    const c = f.sendChallenge(f.payment(25000));
    expect(f.driver.received().some((r) => r.message.type === 'answer')).toBe(false);
    expect(f.env.display.text()).toContain('CNY 250.00');
    f.env.clock.advance(1600);
    const keepalives = f.driver.received().filter((r) => r.message.type === 'keepalive');
    expect(keepalives.length).toBeGreaterThanOrEqual(3);
    f.env.button.press();
    const answer = f.checkout.openAnswer(c, f.driver.expect('answer'));
    expect(answer.status).toBe(Status.OK);
    expect(claimsOf(answer.token!).flags & TokenFlag.CONFIRMED).toBe(TokenFlag.CONFIRMED);
  });

  it('above the limit with no press: CONFIRMATION_TIMEOUT after 30 s and no signature', () => {
    const f = BandFixture.ready();
    const signed = f.band.stats.signatures;
    const c = f.sendChallenge(f.payment(25000));
    f.env.clock.advance(30001);
    const answer = f.checkout.openAnswer(c, f.driver.expect('answer'));
    expect(answer.status).toBe(Status.CONFIRMATION_TIMEOUT);
    expect(answer.token).toBeUndefined();
    expect(f.band.stats.signatures).toBe(signed);
  });

  it('the day limit counts password-free payments across payments', () => {
    const f = BandFixture.ready();
    expect(f.pay(20000).status).toBe(Status.OK);
    expect(f.pay(20000).status).toBe(Status.OK);
    const c = f.sendChallenge(f.payment(15000)); // 55 000 > 50 000: needs the button
    f.env.clock.advance(30001);
    expect(f.checkout.openAnswer(c, f.driver.expect('answer')).status).toBe(Status.CONFIRMATION_TIMEOUT);
    expect(f.status().dayTotal.total).toBe(40000);
  });

  it('transit in express mode needs worn, not unlocked, and debits the balance', () => {
    const f = BandFixture.enrolled();
    f.provision(transitCard);
    f.driver.putOn(); // worn, locked
    const a = f.pay(300, { express: true, cardRef: transitCard.cardRef });
    expect(a.status).toBe(Status.OK);
    expect(a.balance).toBe(4700);
    expect(claimsOf(a.token!).flags).toBe(TokenFlag.WORN | TokenFlag.EXPRESS);
    expect(f.pay(1600, { express: true, cardRef: transitCard.cardRef }).status).toBe(Status.FARE_CAP_EXCEEDED);
    expect(f.pay(300, { cardRef: transitCard.cardRef }).status).toBe(Status.LOCKED);
    f.driver.takeOff();
    expect(f.pay(300, { express: true, cardRef: transitCard.cardRef }).status).toBe(Status.NOT_WORN);
  });

  it('refuses a payment once the band comes off, and after a reboot', () => {
    const f = BandFixture.ready();
    f.driver.takeOff();
    expect(f.status().state).toBe('off-wrist');
    expect(f.pay(100).status).toBe(Status.NOT_WORN);
    f.driver.putOn();
    expect(f.pay(100).status).toBe(Status.LOCKED);
    f.unlock();
    expect(f.pay(100).status).toBe(Status.OK);
    f.driver.reboot();
    expect(f.status().state).toBe('worn-locked');
    expect(f.pay(100).status).toBe(Status.LOCKED);
  });

  it('wipe erases cards, session and the payment key, then confirms', () => {
    const f = BandFixture.ready();
    const a = f.exchange({ kind: 'wipe', ...f.common() });
    expect(a.status).toBe(Status.OK);
    expect(f.status()).toMatchObject({ enrolled: false, cards: [], state: 'worn-locked' });
    expect(f.env.se.hasKey(0)).toBe(false);
    f.driver.send(f.checkout.challenge(f.identity, f.payment(100)).message);
    expect(f.driver.expect('error').status).toBe(Status.NOT_ENROLLED);
    f.driver.reboot();
    expect(f.status().enrolled).toBe(false);
  });
});
