import { describe, expect, it } from 'vitest';
import { decodeClaims } from '../../shared/cose/token.ts';
import { decodeSign1 } from '../../shared/cose/sign1.ts';
import { Status } from '../../shared/status/codes.ts';
import { BandFixture, bankCard } from '../support/band-fixture.ts';

/** The counter a token carries. */
function counterOf(token: Uint8Array): number {
  const s = decodeSign1(token, true);
  if (!s.ok) throw new Error('token');
  const c = decodeClaims(s.value.payload);
  if (!c.ok) throw new Error('claims');
  return c.value.counter;
}

function bankCounter(f: BandFixture): number {
  return f.status().cards.find((c) => c.cardRef === bankCard.cardRef)!.counter;
}

/** Flash operations one payment's counter commit takes on a fresh ready band. */
function opsPerPayment(): number {
  const f = BandFixture.ready({ seed: 7 });
  const before = f.env.flash.operations;
  f.pay(100);
  return f.env.flash.operations - before;
}

/**
 * Cut the power at the k-th flash step of a payment, reboot, and check: the counter on
 * flash is the old or the new one (never a mix, never lower), a token left the band only
 * if its counter was committed, and the next token's counter is above every earlier one.
 */
function payWithCut(f: BandFixture, k: number, highest: { signed: number }): void {
  const before = bankCounter(f);
  f.env.flash.cutPowerAfter(k);
  const a = f.pay(100);
  const cut = !f.env.flash.isPowered;
  f.env.flash.restorePower();
  if (a.status === Status.OK) {
    const c = counterOf(a.token!);
    expect(c).toBe(before + 1);
    expect(c).toBeGreaterThan(highest.signed);
    highest.signed = c;
  } else {
    expect(cut).toBe(true);
    expect(a.token).toBeUndefined();
  }
  f.driver.reboot();
  const after = bankCounter(f);
  expect([before, before + 1]).toContain(after);
  expect(after).toBeGreaterThanOrEqual(highest.signed);
  f.unlock();
}

describe('band: power cut during the counter commit', () => {
  const steps = opsPerPayment();

  it('takes a few flash steps per payment (sanity for the sweeps below)', () => {
    expect(steps).toBeGreaterThanOrEqual(2);
  });

  it('at every single step: old or new counter, no token without a committed counter', () => {
    for (let k = 1; k <= steps + 1; k++) {
      const f = BandFixture.ready({ seed: 100 + k });
      const highest = { signed: 0 };
      // Several payments first so the cut also lands on compactions.
      for (let i = 0; i < 3; i++) payWithCut(f, 1000, highest);
      payWithCut(f, k, highest);
      expect(f.pay(100).status).toBe(Status.OK);
    }
  });

  it('at every pair of steps across two payments, the counter never goes back', () => {
    for (let i = 1; i <= steps; i++) {
      for (let j = 1; j <= steps; j++) {
        const f = BandFixture.ready({ seed: 1000 + i * 31 + j });
        const highest = { signed: 0 };
        payWithCut(f, i, highest);
        payWithCut(f, j, highest);
        const a = f.pay(100);
        expect(a.status).toBe(Status.OK);
        expect(counterOf(a.token!)).toBeGreaterThan(highest.signed);
      }
    }
  });

  it('over many payments (through compactions), cuts at varying steps keep counters strictly increasing', () => {
    const f = BandFixture.ready({ seed: 4242 });
    const highest = { signed: 0 };
    for (let n = 0; n < 60; n++) payWithCut(f, (n % (steps + 3)) + 1, highest);
  });
});
