/**
 * The band's side of its private radio address (docs/PROTOCOL.md §7), in the test
 * environment: the firmware hands the radio an IRK at every boot and asks for a new address
 * at every wear change; the IRK is made at enrollment, kept in flash across reboots, sealed
 * to the enrolling bridge's key only, and replaced by a key nobody holds at a wipe.
 */
import { describe, expect, it } from 'vitest';
import { enrollBand } from '../../bridge/flows/owner.ts';
import { offerOwnerKey, takeIdentityKey } from '../../bridge/flows/owner-irk.ts';
import type { BandSession } from '../../bridge/relay/band-session.ts';
import { BandRefusal } from '../../bridge/relay/refusal.ts';
import type { CheckoutClient } from '../../checkout/api/client.ts';
import { encodeCborHost } from '../../shared/cbor/host.ts';
import { decodeMessageOf, encodeMessage } from '../../shared/messages/index.ts';
import { parseAddress, resolves } from '../../shared/radio/rpa.ts';
import { Status } from '../../shared/status/codes.ts';
import { BandFixture } from '../support/band-fixture.ts';

const resolvesNow = (f: BandFixture, irk: Uint8Array): boolean => resolves(irk, parseAddress(f.env.radio.address!)!);

/** Enrolls as the owner's bridge does: the checkout's ENROLL plus a one-time owner key. */
function enrollAsOwner(f: BandFixture) {
  const enroll = f.checkout.enrollMessage();
  const offer = offerOwnerKey(encodeMessage(enroll, encodeCborHost))!;
  f.driver.send({ ...enroll, ownerKey: offer.ownerKey });
  const enrolled = f.driver.expect('enrolled');
  f.identity = f.checkout.acceptEnrolled(enroll, enrolled);
  return { enrolled, offer, taken: takeIdentityKey(encodeMessage(enrolled, encodeCborHost), offer) };
}

describe("the band's private address", () => {
  it('unenrolled, it advertises a resolvable private address from a key made at boot', () => {
    const f = new BandFixture();
    const key = f.env.radio.identityKey!;
    expect(key.length).toBe(16);
    expect(f.env.radio.address).toMatch(/^[4-7]/);
    expect(resolvesNow(f, key)).toBe(true);
    f.driver.reboot();
    expect(f.env.radio.identityKey).not.toEqual(key); // nobody holds it, so nothing to keep
  });

  it("enrollment makes the IRK, seals it to the owner's bridge only and switches to it; the checkout gets a plain ENROLLED", () => {
    const f = new BandFixture();
    const { enrolled, taken } = enrollAsOwner(f);
    expect(enrolled.irkEnc?.length).toBe(65);
    expect(enrolled.irkCt?.length).toBe(32);
    expect(taken.problem).toBeUndefined();
    expect(taken.irk).toEqual(f.env.radio.identityKey);
    expect(resolvesNow(f, taken.irk!)).toBe(true);
    // What goes on to the checkout carries nothing of it.
    expect(Buffer.from(taken.forward).toString('hex')).toBe(
      Buffer.from(
        encodeMessage(
          {
            type: 'enrolled',
            signingKey: enrolled.signingKey,
            hpkeKey: enrolled.hpkeKey,
            signature: enrolled.signature,
          },
          encodeCborHost,
        ),
      ).toString('hex'),
    );
  });

  it('a new address at every wear change and every boot, always from the same IRK until a wipe', () => {
    const f = new BandFixture();
    const irk = enrollAsOwner(f).taken.irk!;
    const seen = new Set([f.env.radio.address]);
    f.driver.putOn();
    seen.add(f.env.radio.address);
    f.driver.takeOff();
    seen.add(f.env.radio.address);
    f.driver.reboot();
    expect(f.env.radio.identityKey).toEqual(irk); // from flash
    seen.add(f.env.radio.address);
    f.driver.putOn();
    expect(f.unlock().status).toBe(Status.OK); // unlocking is a wear-state change too
    seen.add(f.env.radio.address);
    expect(seen.size).toBe(5);
    for (const a of seen) expect(resolves(irk, parseAddress(a!)!)).toBe(true);

    // A wipe forgets the owner's IRK: their bridges no longer recognise the band.
    expect(f.exchange({ kind: 'wipe', ...f.common() }).status).toBe(Status.OK);
    expect(f.env.radio.identityKey).not.toEqual(irk);
    expect(resolvesNow(f, irk)).toBe(false);
    f.driver.reboot();
    expect(resolvesNow(f, irk)).toBe(false);
  });

  it("a relay that swaps the owner key for its own is caught by the band's signature", () => {
    const f = new BandFixture();
    const enroll = f.checkout.enrollMessage();
    const owner = offerOwnerKey(encodeMessage(enroll, encodeCborHost))!;
    const relay = offerOwnerKey(encodeMessage(enroll, encodeCborHost))!;
    f.driver.send({ ...enroll, ownerKey: relay.ownerKey }); // the relay's key reaches the band
    const enrolled = f.driver.expect('enrolled');
    // The relay can open the IRK, but cannot re-present it as sealed to the owner's key.
    const taken = takeIdentityKey(encodeMessage(enrolled, encodeCborHost), owner);
    expect(taken.irk).toBeNull();
    expect(taken.problem).toMatch(/signature/);
  });

  it('refuses an ENROLL whose owner key is not a P-256 point, and stays unenrolled', () => {
    const f = new BandFixture();
    const bad = new Uint8Array(65).fill(4);
    f.driver.send({ ...f.checkout.enrollMessage(), ownerKey: bad });
    expect(f.driver.expect('error').status).toBe(Status.INVALID_KEY);
    expect(f.band.enrollment).toBeNull();
  });
});

describe('a bridge enrolling a band whose firmware predates the owner key', () => {
  it('falls back to the plain ENROLL when the band refuses key 5 as MALFORMED, and says no IRK came', async () => {
    const f = new BandFixture();
    const enroll = f.checkout.enrollMessage();
    const sent: boolean[] = [];
    // The old firmware: any unknown key is MALFORMED (shared/messages/fields.ts).
    const session = {
      expect: async (bytes: Uint8Array) => {
        const m = decodeMessageOf(bytes, 'enroll');
        if (!m.ok) throw new Error('not an ENROLL');
        sent.push(m.value.ownerKey !== undefined);
        if (m.value.ownerKey !== undefined) throw new BandRefusal(Status.MALFORMED, 'band', 'key 5');
        f.driver.send(m.value);
        return { bytes: encodeMessage(f.driver.expect('enrolled'), encodeCborHost) };
      },
    } as unknown as BandSession;
    const owner = {
      startEnrollment: async () => ({ enrollId: 'enr_1', enroll: encodeMessage(enroll, encodeCborHost) }),
      completeEnrollment: async (_id: string, enrolled: Uint8Array) => {
        const m = decodeMessageOf(enrolled, 'enrolled');
        if (!m.ok) throw new Error('checkout: bad ENROLLED');
        f.checkout.acceptEnrolled(enroll, m.value);
        return { deviceId: 'd', name: 'band', status: 'active', cards: [] };
      },
    } as unknown as CheckoutClient;
    const r = await enrollBand(owner, session);
    expect(sent).toEqual([true, false]);
    expect(r).toMatchObject({
      ok: true,
      value: { deviceId: 'd', identityKey: null, identityKeyProblem: expect.stringMatching(/older firmware/) },
    });
  });
});
