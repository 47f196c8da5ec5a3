/**
 * The checkout's key update (PROTOCOL.md §8): a band enrolled under one checkout key pair
 * takes the next one from a challenge signed by the key it has pinned, and pays under the
 * new keys without re-enrolling. Every forged or stale update is refused with flash untouched.
 */
import { describe, expect, it } from 'vitest';
import { CborMap } from '../../shared/cbor/types.ts';
import { ES256 } from '../../shared/cose/sign1.ts';
import type { KeyHandle } from '../../shared/crypto/provider.ts';
import type { KeyUpdateChallenge } from '../../shared/messages/bodies.ts';
import type { ChallengeMessage } from '../../shared/messages/clear.ts';
import type { IssuedChallenge } from '../../harness/band/checkout-double.ts';
import { Status } from '../../shared/status/codes.ts';
import { BandFixture, bankCard } from '../support/band-fixture.ts';

interface NextKeys {
  signing: KeyHandle;
  hpke: KeyHandle;
  body: KeyUpdateChallenge;
}

function nextKeys(f: BandFixture, epoch = 2): NextKeys {
  const p = f.checkout.provider;
  const signing = p.p256Generate();
  const hpke = p.p256Generate();
  const body: KeyUpdateChallenge = {
    kind: 'key-update',
    ...f.common(),
    signingKey: p.p256PublicKey(signing),
    hpkeKey: p.p256PublicKey(hpke),
    epoch,
  };
  return { signing, hpke, body };
}

/** A band worn, unlocked, with a bank card. */
function readyBand(): BandFixture {
  const f = BandFixture.enrolled();
  f.provision(bankCard);
  f.driver.putOn();
  f.unlock();
  return f;
}

/** Sends a CHALLENGE message and returns the band's sealed answer status, or its clear ERROR status. */
function statusOf(f: BandFixture, message: ChallengeMessage, c: IssuedChallenge): number {
  f.driver.send(message);
  const replies = f.driver.received();
  const reply = replies[replies.length - 1].message;
  if (reply.type === 'error') return reply.status;
  if (reply.type !== 'answer') throw new Error(`unexpected ${reply.type}`);
  return f.checkout.openAnswer(c, reply).status;
}

describe('band: checkout key update', () => {
  it('a band enrolled before the rotation takes the new keys and pays under them without re-enrolling', () => {
    const f = readyBand();
    const next = nextKeys(f);
    expect(f.exchange(next.body).status).toBe(Status.OK);
    f.checkout.useKeys(next.signing, next.hpke);
    // The hello is sealed to the new HPKE key (openHello uses it now) and a payment signed by the new key pays.
    expect(f.hello().deviceId).toEqual(f.identity.deviceId);
    expect(f.pay(100).status).toBe(Status.OK);
    // After a reboot the new keys are what flash holds.
    f.driver.reboot();
    f.driver.putOn();
    f.unlock();
    expect(f.pay(100).status).toBe(Status.OK);
  });

  it('the old key no longer signs for the band once it has the new one', () => {
    const f = readyBand();
    const oldSigning = f.checkout.signing;
    const next = nextKeys(f);
    expect(f.exchange(next.body).status).toBe(Status.OK);
    const c = f.checkout.challenge(f.identity, f.payment(100), oldSigning);
    expect(statusOf(f, c.message, c)).toBe(Status.BAD_SIGNATURE);
  });

  describe('forged or stale updates are refused and nothing is written to flash', () => {
    function refusedUntouched(f: BandFixture, send: () => number, expected: number): void {
      const before = f.env.flash.toBytes();
      expect(send()).toBe(expected);
      expect(f.env.flash.toBytes()).toEqual(before);
      // The band still pays under the keys it had.
      expect(f.pay(100).status).toBe(Status.OK);
    }

    it('signed by another key', () => {
      const f = readyBand();
      const next = nextKeys(f);
      const c = f.checkout.challenge(f.identity, next.body, next.signing);
      refusedUntouched(f, () => statusOf(f, c.message, c), Status.BAD_SIGNATURE);
    });

    it('signed under another protected header (a kid: not the challenge label {1: -7})', () => {
      const f = readyBand();
      const next = nextKeys(f);
      const header = new CborMap([1, 4], [ES256, new Uint8Array(16)]);
      const c = f.checkout.challenge(f.identity, next.body, f.checkout.signing, header);
      refusedUntouched(f, () => statusOf(f, c.message, c), Status.MALFORMED);
    });

    it('truncated on the way', () => {
      const f = readyBand();
      const c = f.checkout.challenge(f.identity, nextKeys(f).body);
      const cut = { ...c.message, ct: c.message.ct.subarray(0, c.message.ct.length - 20) };
      refusedUntouched(f, () => statusOf(f, cut, c), Status.DECRYPT_FAILED);
    });

    it('an update to an epoch not above the one held (an old update replayed to roll back)', () => {
      const f = readyBand();
      const first = nextKeys(f, 3);
      expect(f.exchange(first.body).status).toBe(Status.OK);
      f.checkout.useKeys(first.signing, first.hpke);
      // Signed by the very key the band holds now, but for an epoch it has already passed.
      refusedUntouched(f, () => f.exchange(nextKeys(f, 3).body).status, Status.REPLAYED);
      refusedUntouched(f, () => f.exchange(nextKeys(f, 2).body).status, Status.REPLAYED);
    });

    it('the accepted update replayed, before and after a reboot that forgets nonces', () => {
      const f = readyBand();
      const next = nextKeys(f);
      const c = f.sendChallenge(next.body);
      expect(f.checkout.openAnswer(c, f.driver.expect('answer')).status).toBe(Status.OK);
      f.checkout.useKeys(next.signing, next.hpke);
      // Signed by a key the band no longer pins: it cannot take the band back or anywhere else.
      refusedUntouched(f, () => statusOf(f, c.message, c), Status.BAD_SIGNATURE);
      f.driver.reboot();
      f.driver.putOn();
      f.unlock();
      refusedUntouched(f, () => statusOf(f, c.message, c), Status.BAD_SIGNATURE);
    });

    it('new keys that are not P-256 points', () => {
      const f = readyBand();
      const body = { ...nextKeys(f).body, hpkeKey: new Uint8Array(65).fill(4) };
      refusedUntouched(f, () => f.exchange(body).status, Status.INVALID_KEY);
    });

    it('made for another band', () => {
      const f = readyBand();
      const body = { ...nextKeys(f).body, deviceId: new Uint8Array(16) };
      refusedUntouched(f, () => f.exchange(body).status, Status.WRONG_DEVICE);
    });
  });

  describe('a power cut during the update', () => {
    /** Flash operations a key update takes on a fresh ready band. */
    function opsPerUpdate(): number {
      const f = readyBand();
      const before = f.env.flash.operations;
      expect(f.exchange(nextKeys(f).body).status).toBe(Status.OK);
      return f.env.flash.operations - before;
    }

    /** True when the band's hello opens with the double's current HPKE key. */
    function helloOpens(f: BandFixture): boolean {
      try {
        return f.hello().deviceId.length === 16;
      } catch {
        return false;
      }
    }

    it('leaves the band on the old keys or the new ones, never neither, and it pays under them', () => {
      const steps = opsPerUpdate();
      expect(steps).toBeGreaterThanOrEqual(2);
      const seen = new Set<string>();
      for (let k = 1; k <= steps; k++) {
        const f = readyBand();
        const deviceId = f.identity.deviceId;
        const next = nextKeys(f);
        f.env.flash.cutPowerAfter(k);
        const answered = f.exchange(next.body).status;
        f.env.flash.restorePower();
        f.driver.reboot();
        f.driver.putOn();
        const onOld = helloOpens(f);
        if (!onOld) f.checkout.useKeys(next.signing, next.hpke);
        expect(onOld || helloOpens(f), `cut after ${k}: the band holds neither key pair`).toBe(true);
        // An OK answer means the new keys were in flash before the band said so.
        if (answered === Status.OK) expect(onOld, `cut after ${k}: OK but still on the old keys`).toBe(false);
        f.unlock();
        expect(f.pay(100).status, `cut after ${k}`).toBe(Status.OK);
        expect(f.identity.deviceId).toEqual(deviceId);
        seen.add(onOld ? 'old' : 'new');
      }
      // The sweep cut before the record landed and after it.
      expect([...seen].sort()).toEqual(['new', 'old']);
    });
  });
});
