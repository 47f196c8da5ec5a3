/**
 * The card at the tap (docs/FIRMWARE.md, "The card at the tap"): the band shows the card that
 * will pay; with more than one bank card in the payment's currency the wearer may switch with
 * the button within the window, and the token names the card shown when the window ends.
 */
import { describe, expect, it } from 'vitest';
import { decodeClaims, type TokenClaims } from '../../shared/cose/token.ts';
import { decodeSign1 } from '../../shared/cose/sign1.ts';
import type { BankCard } from '../../shared/messages/bodies.ts';
import { TokenFlag } from '../../shared/protocol/constants.ts';
import { Status } from '../../shared/status/codes.ts';
import { BandFixture, bankCard, transitCard } from '../support/band-fixture.ts';

const cmb: BankCard = {
  kind: 'bank',
  cardRef: 'tok_bank_2',
  issuer: 'China Merchants Bank',
  last4: '8765',
  isDefault: false,
  currency: 'CNY',
};
const hsbc: BankCard = { ...cmb, cardRef: 'tok_bank_hk', issuer: 'HSBC Hong Kong', last4: '1111', currency: 'HKD' };

function claimsOf(token: Uint8Array): TokenClaims {
  const s = decodeSign1(token, true);
  if (!s.ok) throw new Error('token does not parse');
  const c = decodeClaims(s.value.payload);
  if (!c.ok) throw new Error('claims do not parse');
  return c.value;
}

/** A worn, unlocked band with ICBC (default), CMB (both CNY) and HSBC (HKD). */
function twoCards(): BandFixture {
  const f = BandFixture.ready();
  expect(f.provision(cmb).status).toBe(Status.OK);
  expect(f.provision(hsbc).status).toBe(Status.OK);
  return f;
}

/** Whether the band answered since the last read (reading consumes what it sent). */
function answered(f: BandFixture): boolean {
  return f.driver.received().some((r) => r.message.type === 'answer');
}

function screens(f: BandFixture): string[][] {
  return f.env.display.history.map((h) => h.lines);
}

describe('the card at the tap', () => {
  it('one card: shows amount, merchant, issuer and last 4, kind; pays at once', () => {
    const f = BandFixture.ready();
    const shown = f.env.display.history.length;
    const a = f.pay(1250);
    expect(a.status).toBe(Status.OK);
    expect(screens(f).slice(shown)).toEqual([
      ['CNY 12.50', 'Tea House', 'ICBC 4321', 'Bank card'],
      ['CNY 12.50', 'Tea House', 'ICBC 4321', 'Sent'],
    ]);
    expect(claimsOf(a.token!).cardRef).toBe(bankCard.cardRef);
    expect(f.env.display.overflows).toBe(0);
  });

  it('keeps every line within the display: a long issuer is cut, the last 4 stay; a long name is cut', () => {
    const f = twoCards();
    f.sendChallenge(f.payment(1234567, { merchantName: 'A merchant with a long name' }));
    f.env.button.press();
    expect(f.env.display.current).toEqual(['CNY 12345.67', 'A merchant with ', 'China Merch 8765', 'Press: next card']);
    expect(f.env.display.overflows).toBe(0);
  });

  it('express transit: no window, the tap screen shows city and balance', () => {
    const f = BandFixture.enrolled();
    f.provision(transitCard);
    f.provision(cmb);
    f.driver.putOn();
    const shown = f.env.display.history.length;
    const a = f.pay(300, { express: true, cardRef: transitCard.cardRef });
    expect(a.status).toBe(Status.OK);
    expect(screens(f)[shown]).toEqual(['CNY 3.00', 'Tea House', 'Shanghai Me 0007', 'Shanghai 50.00']);
    expect(claimsOf(a.token!).cardRef).toBe(transitCard.cardRef);
  });

  it('two cards in the currency: shows the default, waits the window, pays with it', () => {
    const f = twoCards();
    const c = f.sendChallenge(f.payment(1250));
    expect(f.env.display.current).toEqual(['CNY 12.50', 'Tea House', 'ICBC 4321', 'Press: next card']);
    f.env.clock.advance(2900);
    const seen = f.driver.received();
    expect(seen.some((r) => r.message.type === 'answer')).toBe(false);
    // The bridge hears PROCESSING, not CONFIRMATION_REQUIRED: nothing to confirm yet.
    const keepalives = seen.filter((r) => r.message.type === 'keepalive');
    expect(keepalives.length).toBeGreaterThanOrEqual(5);
    for (const k of keepalives) expect((k.message as { status: number }).status).toBe(Status.PROCESSING);
    f.env.clock.advance(200);
    const a = f.checkout.openAnswer(c, f.driver.expect('answer'));
    expect(a.status).toBe(Status.OK);
    expect(claimsOf(a.token!).cardRef).toBe(bankCard.cardRef);
    expect(claimsOf(a.token!).flags & TokenFlag.CONFIRMED).toBe(0);
  });

  it('a press shows the next card of the same currency; the token names the card shown', () => {
    const f = twoCards();
    const c = f.sendChallenge(f.payment(1250));
    f.env.button.press();
    expect(f.env.display.current).toEqual(['CNY 12.50', 'Tea House', 'China Merch 8765', 'Press: next card']);
    f.env.clock.advance(3001);
    const a = f.checkout.openAnswer(c, f.driver.expect('answer'));
    expect(a.status).toBe(Status.OK);
    const claims = claimsOf(a.token!);
    expect(claims.cardRef).toBe(cmb.cardRef);
    expect(claims.counter).toBe(1);
    expect(f.env.display.current).toEqual(['CNY 12.50', 'Tea House', 'China Merch 8765', 'Sent']);
    // Only the card that paid moved its counter.
    const counters = f.status().cards.map((k: { cardRef: string; counter: number }) => [k.cardRef, k.counter]);
    expect(counters).toContainEqual([cmb.cardRef, 1]);
    expect(counters).toContainEqual([bankCard.cardRef, 0]);
  });

  it('never offers a card in another currency: two presses come back to the first', () => {
    const f = twoCards();
    const c = f.sendChallenge(f.payment(1250));
    f.env.button.press();
    f.env.button.press();
    expect(f.env.display.current[2]).toBe('ICBC 4321');
    f.env.clock.advance(3001);
    expect(claimsOf(f.checkout.openAnswer(c, f.driver.expect('answer')).token!).cardRef).toBe(bankCard.cardRef);
  });

  it('button mashing: each press restarts the window; one payment, with the card shown last', () => {
    const f = twoCards();
    const signed = f.band.stats.signatures;
    const c = f.sendChallenge(f.payment(1250));
    for (let i = 0; i < 41; i++) {
      f.env.button.press();
      f.env.clock.advance(100);
    }
    expect(answered(f)).toBe(false);
    f.env.clock.advance(2950);
    const a = f.checkout.openAnswer(c, f.driver.expect('answer'));
    expect(claimsOf(a.token!).cardRef).toBe(cmb.cardRef); // 41 presses: odd
    for (let i = 0; i < 5; i++) f.env.button.press(); // after the window: nothing
    f.env.clock.advance(5000);
    expect(answered(f)).toBe(false); // no second answer
    expect(f.band.stats.signatures).toBe(signed + 1);
  });

  it('mashing never outlasts the hard time-out: CONFIRMATION_TIMEOUT, no signature', () => {
    const f = twoCards();
    const signed = f.band.stats.signatures;
    const c = f.sendChallenge(f.payment(1250));
    for (let i = 0; i < 31; i++) {
      f.env.button.press();
      f.env.clock.advance(1000);
    }
    expect(f.checkout.openAnswer(c, f.driver.expect('answer')).status).toBe(Status.CONFIRMATION_TIMEOUT);
    expect(f.band.stats.signatures).toBe(signed);
  });

  it('taken off mid-window: NOT_WORN, no signature', () => {
    const f = twoCards();
    const signed = f.band.stats.signatures;
    const c = f.sendChallenge(f.payment(1250));
    f.env.clock.advance(500);
    f.driver.takeOff(); // confirmed removal at 2 s, before the window ends
    expect(f.checkout.openAnswer(c, f.driver.expect('answer')).status).toBe(Status.NOT_WORN);
    f.env.clock.advance(5000);
    expect(f.band.stats.signatures).toBe(signed);
  });

  it('taken off in the last moment of the window (removal not yet debounced): still no payment', () => {
    const f = twoCards();
    const signed = f.band.stats.signatures;
    const c = f.sendChallenge(f.payment(1250));
    f.env.clock.advance(2900);
    f.env.wear.sample(false);
    f.env.clock.advance(200);
    expect(f.checkout.openAnswer(c, f.driver.expect('answer')).status).toBe(Status.NOT_WORN);
    expect(f.band.stats.signatures).toBe(signed);
  });

  it('put on the charger mid-window: CHARGING, no signature', () => {
    const f = twoCards();
    const c = f.sendChallenge(f.payment(1250));
    f.env.charger.set(true);
    expect(f.checkout.openAnswer(c, f.driver.expect('answer')).status).toBe(Status.CHARGING);
  });

  it('no card removal (nor any challenge) lands mid-window: BUSY, and the payment goes on', () => {
    const f = twoCards();
    const c = f.sendChallenge(f.payment(1250));
    f.env.button.press();
    const removal = f.checkout.challenge(f.identity, { kind: 'remove-card', ...f.common(), cardRef: cmb.cardRef });
    f.driver.send(removal.message);
    expect(f.driver.expect('error').status).toBe(Status.BUSY);
    f.env.clock.advance(3001);
    const a = f.checkout.openAnswer(c, f.driver.expect('answer'));
    expect(claimsOf(a.token!).cardRef).toBe(cmb.cardRef);
    expect(f.exchange({ kind: 'remove-card', ...f.common(), cardRef: cmb.cardRef }).status).toBe(Status.OK);
  });

  it('a challenge naming a card starts with it; unknown or other-currency cards are refused', () => {
    const f = twoCards();
    const c = f.sendChallenge(f.payment(1250, { cardRef: cmb.cardRef }));
    expect(f.env.display.current[2]).toBe('China Merch 8765');
    f.env.button.press();
    expect(f.env.display.current[2]).toBe('ICBC 4321');
    f.env.clock.advance(3001);
    expect(claimsOf(f.checkout.openAnswer(c, f.driver.expect('answer')).token!).cardRef).toBe(bankCard.cardRef);
    expect(f.pay(1250, { cardRef: 'tok_nowhere' }).status).toBe(Status.CARD_NOT_FOUND);
    expect(f.pay(1250, { cardRef: hsbc.cardRef }).status).toBe(Status.CLAIM_MISMATCH);
    expect(f.pay(1250, { cardRef: transitCard.cardRef }).status).toBe(Status.CARD_NOT_FOUND);
  });

  it('above the limit: the window first (presses switch), then a press confirms the card shown', () => {
    const f = twoCards();
    const c = f.sendChallenge(f.payment(25000));
    f.env.button.press(); // switches, does not confirm
    f.env.clock.advance(3001);
    expect(answered(f)).toBe(false);
    expect(f.env.display.current).toEqual(['CNY 250.00', 'Tea House', 'China Merch 8765', 'Press to confirm']);
    f.env.clock.advance(600);
    const statuses = f.driver
      .received()
      .filter((r) => r.message.type === 'keepalive')
      .map((r) => (r.message as { status: number }).status);
    expect(statuses.at(-1)).toBe(Status.CONFIRMATION_REQUIRED);
    f.env.button.press();
    const a = f.checkout.openAnswer(c, f.driver.expect('answer'));
    expect(a.status).toBe(Status.OK);
    expect(claimsOf(a.token!).cardRef).toBe(cmb.cardRef);
    expect(claimsOf(a.token!).flags & TokenFlag.CONFIRMED).toBe(TokenFlag.CONFIRMED);
  });

  it("each card shows its own amount (a promotion's offer) and the token signs the one shown", () => {
    const f = twoCards();
    const c = f.sendChallenge(f.payment(5000, { offers: [{ cardRef: cmb.cardRef, amount: 4500 }] }));
    expect(f.env.display.current.slice(0, 3)).toEqual(['CNY 50.00', 'Tea House', 'ICBC 4321']);
    f.env.button.press();
    expect(f.env.display.current.slice(0, 3)).toEqual(['CNY 45.00', 'Tea House', 'China Merch 8765']);
    f.env.clock.advance(3001);
    const claims = claimsOf(f.checkout.openAnswer(c, f.driver.expect('answer')).token!);
    expect([claims.cardRef, claims.amount]).toEqual([cmb.cardRef, 4500]);
  });

  it('the window is a config value', () => {
    const f = BandFixture.ready({ config: { switchWindowMs: 1000 } });
    f.provision(cmb);
    const c = f.sendChallenge(f.payment(1250));
    f.env.clock.advance(1001);
    expect(f.checkout.openAnswer(c, f.driver.expect('answer')).status).toBe(Status.OK);
  });
});
