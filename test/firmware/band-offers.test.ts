/**
 * Promotions on the band: it shows, counts and signs the checkout's offer for the card it
 * pays with (firmware/core/offers.ts), and the list amount for any other card.
 */
import { describe, expect, it } from 'vitest';
import { decodeSign1 } from '../../shared/cose/sign1.ts';
import { decodeClaims } from '../../shared/cose/token.ts';
import { Status } from '../../shared/status/codes.ts';
import { BandFixture, bankCard, transitCard } from '../support/band-fixture.ts';

function signedAmount(token: Uint8Array | undefined): number {
  const s = decodeSign1(token as Uint8Array, true);
  if (!s.ok) throw new Error('token does not parse');
  const c = decodeClaims(s.value.payload);
  if (!c.ok) throw new Error('claims do not parse');
  return c.value.amount;
}

describe('band: promotion offers', () => {
  it('signs, shows and counts the offer for the card that pays', () => {
    const f = BandFixture.ready();
    const a = f.pay(1250, { offers: [{ cardRef: bankCard.cardRef, amount: 1125 }] });
    expect(a.status).toBe(Status.OK);
    expect(signedAmount(a.token)).toBe(1125);
    expect(f.env.display.text()).toContain('CNY 11.25');
    expect(f.status().dayTotal.total).toBe(1125);
    f.driver.send(f.checkout.result(f.lastChallenge!, Status.OK));
    expect(f.env.display.current).toEqual(['Approved', 'Paid CNY 11.25']);
  });

  it('signs the list amount when the offers name only other cards', () => {
    const f = BandFixture.ready();
    const a = f.pay(1250, { offers: [{ cardRef: 'tok_other', amount: 1000 }] });
    expect(signedAmount(a.token)).toBe(1250);
  });

  it('asks for the button with the offer amount on the screen', () => {
    const f = BandFixture.ready();
    f.sendChallenge(f.payment(25000, { offers: [{ cardRef: bankCard.cardRef, amount: 22500 }] }));
    expect(f.env.display.text()).toContain('CNY 225.00');
  });

  it('a free ride signs 0 and leaves the transit balance as it was', () => {
    const f = BandFixture.enrolled();
    f.provision(transitCard);
    f.driver.putOn();
    const a = f.pay(300, {
      express: true,
      cardRef: transitCard.cardRef,
      offers: [{ cardRef: transitCard.cardRef, amount: 0 }],
    });
    expect(a.status).toBe(Status.OK);
    expect(signedAmount(a.token)).toBe(0);
    expect(a.balance).toBe(5000);
  });
});
