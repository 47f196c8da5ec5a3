/** The pricing rules (checkout/core/promotion-pricing.ts), one at a time. */
import { describe, expect, it } from 'vitest';
import { checkPromotions } from '../../checkout/core/promotion-file.ts';
import { termsFor } from '../../checkout/core/promotion-pricing.ts';

const from = '2026-01-01T00:00:00Z';
const until = '2027-01-01T00:00:00Z';
const NOW = Date.parse('2026-06-01T00:00:00Z');
const promos = checkPromotions(
  {
    promotions: [
      {
        id: 'a-pct',
        issuer: 'icbc',
        kind: 'percent-off',
        label: '10% dining',
        validFrom: from,
        validUntil: until,
        category: 'dining',
        percent: 10,
        maxDiscount: 500,
      },
      {
        id: 'b-fixed',
        issuer: 'icbc',
        kind: 'amount-off',
        label: '3 off 20',
        validFrom: from,
        validUntil: until,
        threshold: 2000,
        discount: 300,
      },
      {
        id: 'c-pts',
        issuer: 'icbc',
        kind: 'points',
        label: '1 per CNY',
        validFrom: from,
        validUntil: until,
        per: 100,
        points: 1,
      },
      {
        id: 'd-pts',
        issuer: 'icbc',
        kind: 'points',
        label: '3 per 2 CNY',
        validFrom: from,
        validUntil: until,
        per: 200,
        points: 3,
      },
      {
        id: 'old',
        issuer: 'ccb',
        kind: 'amount-off',
        label: 'gone',
        validFrom: '2025-01-01T00:00:00Z',
        validUntil: from,
        threshold: 100,
        discount: 50,
      },
      {
        id: 'soon',
        issuer: 'ccb',
        kind: 'amount-off',
        label: 'later',
        validFrom: until,
        validUntil: '2028-01-01T00:00:00Z',
        threshold: 100,
        discount: 50,
      },
      {
        id: 'ride',
        issuer: 'shanghai',
        kind: 'free-ride',
        label: '4th free',
        validFrom: from,
        validUntil: until,
        after: 3,
      },
    ],
  },
  't',
);
const icbc = { cardRef: 'c1', issuerId: 'icbc', kind: 'bank' as const };
const price = (
  list: number,
  category: string | null,
  card: { cardRef: string; issuerId: string; kind: 'bank' | 'transit' } = icbc,
  rides = 0,
  now = NOW,
) => termsFor(promos, { card, listAmount: list, category, now, rides: () => rides });

describe('promotion pricing', () => {
  it('percent off rounds down to the minor unit, within its cap', () => {
    expect(price(1255, 'dining')).toMatchObject({ discount: 125, amount: 1130, promotionId: 'a-pct' });
    expect(price(9999, 'dining').discount).toBe(500); // 999 capped at 500
  });
  it('takes the single best discount for the wearer', () => {
    expect(price(2500, 'dining')).toMatchObject({ discount: 300, promotionId: 'b-fixed' }); // 250 < 300
    expect(price(4000, 'dining')).toMatchObject({ discount: 400, promotionId: 'a-pct' });
    expect(price(1999, 'grocery')).toMatchObject({ discount: 0, promotionId: null, amount: 1999 });
    expect(price(2000, 'grocery')).toMatchObject({ discount: 300, amount: 1700 });
  });
  it('points accrue on what was charged, from the best points promotion', () => {
    // charged 1130: c-pts 11, d-pts floor(1130/200)*3 = 15
    expect(price(1255, 'dining')).toMatchObject({ points: 15, pointsPromotionId: 'd-pts' });
    expect(price(150, null)).toMatchObject({ points: 1, pointsPromotionId: 'c-pts' });
    expect(price(99, null)).toMatchObject({ points: 0, pointsPromotionId: null });
  });
  it('an expired or not yet valid promotion does not apply', () => {
    const ccb = { cardRef: 'c2', issuerId: 'ccb', kind: 'bank' as const };
    expect(price(1000, null, ccb)).toMatchObject({ discount: 0, promotionId: null });
    expect(price(1000, null, ccb, 0, Date.parse(until))).toMatchObject({ promotionId: 'soon' });
    expect(price(1000, 'dining', icbc, 0, Date.parse(until))).toMatchObject({ discount: 0, points: 0 }); // validUntil is exclusive
  });
  it('another issuer’s promotions never apply', () => {
    expect(price(5000, 'dining', { cardRef: 'c3', issuerId: 'boc', kind: 'bank' })).toMatchObject({
      discount: 0,
      points: 0,
    });
  });
  it('a transit card rides free after N rides and counts the others', () => {
    const sh = { cardRef: 't1', issuerId: 'shanghai', kind: 'transit' as const };
    expect(price(300, null, sh, 2)).toMatchObject({
      amount: 300,
      ride: { promotionId: 'ride', after: 3, free: false },
    });
    expect(price(300, null, sh, 3)).toMatchObject({
      amount: 0,
      discount: 300,
      label: '4th free',
      ride: { free: true },
    });
  });
});
