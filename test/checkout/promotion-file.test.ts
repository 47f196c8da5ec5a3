/** The promotions file: the shipped one loads, and each rule refuses a bad entry by name. */
import { describe, expect, it } from 'vitest';
import { PromotionFileError, checkPromotions, parsePromotionFile } from '../../checkout/core/promotion-file.ts';
import { loadPromotions } from '../../checkout/promotions.ts';

const good = {
  id: 'icbc-dining',
  issuer: 'icbc',
  kind: 'percent-off',
  label: 'ICBC 10% off dining',
  validFrom: '2026-01-01T00:00:00+08:00',
  validUntil: '2027-01-01T00:00:00+08:00',
  category: 'dining',
  percent: 10,
};

function refused(entry: Record<string, unknown>, why: RegExp): void {
  const attempt = () => checkPromotions({ promotions: [good, entry] }, 'p.json');
  expect(attempt).toThrow(PromotionFileError);
  expect(attempt).toThrow(why);
}

describe('the promotions file', () => {
  it('ships a valid file that the checkout loads', () => {
    const all = loadPromotions();
    expect(all.length).toBeGreaterThanOrEqual(4);
    expect(new Set(all.map((p) => p.kind))).toEqual(new Set(['percent-off', 'amount-off', 'points', 'free-ride']));
  });

  it('reads dates with their offset into instants', () => {
    const [p] = checkPromotions({ promotions: [good] }, 'p.json');
    expect(p.validFrom).toBe(Date.parse('2025-12-31T16:00:00Z'));
    expect(p).toMatchObject({ kind: 'percent-off', maxDiscount: null });
  });

  it('names the file, the entry and the problem', () => {
    expect(() => checkPromotions({ promotions: [good, { ...good, id: 'x2', percent: 0 }] }, 'p.json')).toThrow(
      'p.json: promotion 2 ("x2"): percent: an integer from 1 to 100',
    );
  });

  it('refuses what is not a promotions file', () => {
    expect(() => parsePromotionFile('{', 'p.json')).toThrow(/p\.json: not JSON/);
    expect(() => checkPromotions([], 'p.json')).toThrow(/expected an object/);
    expect(() => checkPromotions({ promotions: [], extra: 1 }, 'p.json')).toThrow(/unknown key extra/);
    expect(() => checkPromotions({ promotions: ['x'] }, 'p.json')).toThrow(/promotion 1: expected an object/);
  });

  it('refuses each bad field', () => {
    refused({ ...good, id: 'Bad Id' }, /id: 1 to 40/);
    refused({ ...good }, /id is used by an earlier promotion/);
    refused({ ...good, id: 'k', kind: 'cashback' }, /kind: one of/);
    refused({ ...good, id: 'u', percnt: 10 }, /unknown key percnt for kind percent-off/);
    refused({ ...good, id: 'i', issuer: 'nobank' }, /nobank is neither a bank nor a transit city/);
    refused(
      { ...good, id: 'f', kind: 'free-ride', after: 3, category: undefined, percent: undefined },
      /unknown key|for transit operators/,
    );
    refused(
      {
        id: 'f2',
        issuer: 'icbc',
        kind: 'free-ride',
        label: 'x',
        validFrom: good.validFrom,
        validUntil: good.validUntil,
        after: 3,
      },
      /kind free-ride is for transit operators, not banks/,
    );
    refused({ ...good, id: 't', issuer: 'shanghai' }, /kind percent-off is for banks, not transit operators/);
    refused({ ...good, id: 'l', label: '' }, /label: 1 to 32 bytes/);
    refused({ ...good, id: 'l2', label: 'x'.repeat(33) }, /label: 1 to 32 bytes/);
    refused({ ...good, id: 'd', validFrom: '2026-01-01' }, /validFrom: an ISO 8601 date-time with its offset/);
    refused({ ...good, id: 'd2', validUntil: '2026-01-01T00:00:00' }, /validUntil: an ISO 8601/);
    refused({ ...good, id: 'd3', validUntil: good.validFrom }, /validUntil must be after validFrom/);
    refused({ ...good, id: 'c', category: 'casino' }, /category: one of dining/);
    refused({ ...good, id: 'p', percent: 12.5 }, /percent: an integer from 1 to 100/);
    refused({ ...good, id: 'p2', percent: 101 }, /percent: an integer from 1 to 100/);
    refused({ ...good, id: 'm', maxDiscount: 0 }, /maxDiscount: an integer from 1/);
    const amountOff = {
      id: 'a',
      issuer: 'cmb',
      kind: 'amount-off',
      label: 'CMB',
      validFrom: good.validFrom,
      validUntil: good.validUntil,
    };
    refused({ ...amountOff, threshold: 0, discount: 1 }, /threshold: an integer from 1/);
    refused({ ...amountOff, threshold: 100, discount: 101 }, /discount: an integer from 1 to 100/);
    const points = {
      id: 'pt',
      issuer: 'ccb',
      kind: 'points',
      label: 'CCB',
      validFrom: good.validFrom,
      validUntil: good.validUntil,
    };
    refused({ ...points, per: 0, points: 1 }, /per: an integer from 1/);
    refused({ ...points, per: 100, points: -1 }, /points: an integer from 1 to 1000/);
    const ride = {
      id: 'r',
      issuer: 'shanghai',
      kind: 'free-ride',
      label: '10th free',
      validFrom: good.validFrom,
      validUntil: good.validUntil,
    };
    refused({ ...ride, after: 0 }, /after: an integer from 1 to 1000/);
    expect(checkPromotions({ promotions: [{ ...ride, after: 9 }] }, 'p.json')[0]).toMatchObject({
      kind: 'free-ride',
      after: 9,
    });
  });
});
