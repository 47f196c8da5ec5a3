/**
 * End-to-end, through real parts only: the band image in QuickJS inside the simulator,
 * noble's websocket bindings as the bridge's radio, the checkout over HTTP with its
 * SQLite file. Runs the demo's story and checks every step, then verifies every token
 * independently (cose-js, with only the JWK the receipt carries).
 */
import { createRequire } from 'node:module';
import { type AuthenticationResponseJSON, verifyAuthenticationResponse } from '@simplewebauthn/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoWorld, type DemoWorld } from '../../cli/demo/environment.ts';
import { runStory, type DemoEvent } from '../../cli/demo/story.ts';
import { encodeCborHost } from '../../shared/cbor/host.ts';
import { CborMap } from '../../shared/cbor/types.ts';

const cose = createRequire(import.meta.url)('cose-js') as {
  sign: { verifySync(m: Buffer, v: { key: { x: Buffer; y: Buffer } }): Buffer };
};

let world: DemoWorld;
const events: DemoEvent[] = [];
/** When each event was emitted (the checkout's clock is this process's). */
const emittedAt: number[] = [];

beforeAll(async () => {
  world = await startDemoWorld();
  await runStory(world, (e) => {
    events.push(e);
    emittedAt.push(Date.now());
  });
}, 120_000);

afterAll(async () => {
  await world?.close();
});

describe('e2e: the demo story over real parts', () => {
  it('runs every step in order with the expected outcome', () => {
    expect(events.map((e) => `${e.step}:${e.outcome}`)).toEqual([
      'enroll:ok',
      'card-add:ok',
      'card-add:ok',
      'card-add:ok',
      'card-default:ok',
      'wear:ok',
      'unlock:ok',
      'tap:ok',
      'pay:approved',
      'promotion:ok',
      'tap:ok',
      'pay:approved',
      'tap:ok',
      'transit:approved',
      'remove:ok',
      'pay:declined',
      'pay-password:approved',
      'wear:ok',
      'unlock:ok',
      'tap:ok',
      'pay:approved',
      'promotion:ok',
      'identity-register:ok',
      'identity-login:ok',
      'find:ok',
      'ring:ok',
      'revoke:ok',
      'pay:declined',
      'wipe:ok',
    ]);
  });

  it("finds the band where it last paid: the merchant's name and the till's, at the time of that payment", () => {
    const i = events.findIndex((e) => e.step === 'find');
    expect(Object.keys(events[i]).sort()).toEqual(['lastSeen', 'outcome', 'step']);
    const seen = events[i].lastSeen as { at: number; merchant: string; terminal: string };
    // The simulated band's fuel gauge reads full until set (wristpay sim battery).
    expect(seen).toEqual({ at: expect.any(Number), merchant: 'Lu Yu Tea House', terminal: 'till 1', battery: 100 });
    // After the unlock that came before the last payment (an unlock is a contact at no terminal).
    expect(seen.at).toBeGreaterThanOrEqual(emittedAt[events.map((e) => e.step).lastIndexOf('unlock')]);
    expect(seen.at).toBeLessThanOrEqual(emittedAt[i - 1]);
  });

  it('tells each promotion beside the payment it changed: the card chosen at the tap decides which', () => {
    const promos = events.filter((e) => e.step === 'promotion');
    expect(promos.map((e) => [e.amount, e.discount, e.charged, e.points, e.label])).toEqual([
      // The wearer switched to ICBC at the first tap: the tea house's 10% off dining on the ICBC card.
      [1250, 125, 1125, 11, 'ICBC 10% off dining'],
      // The CMB card (the default) paid the 38.00 with no promotion, and the 320.00 with its own.
      [32000, 3000, 29000, 0, 'CMB 30 off 300'],
    ]);
    for (const e of promos) {
      const before = events[events.indexOf(e) - 1];
      expect(before).toMatchObject({ step: 'pay', outcome: 'approved', orderId: e.orderId, amount: e.amount });
    }
  });

  it('rings the lost band at the next terminal that sees it: "Find me" on its display', () => {
    const ring = events.find((e) => e.step === 'ring');
    expect(ring).toMatchObject({ outcome: 'ok', delivered: true });
    expect(ring?.display).toEqual(['Find me', 'Owner is looking']);
  });

  it('signs in with the band: the assertion verifies with @simplewebauthn/server and the registered JWK alone', async () => {
    const reg = events.find((e) => e.step === 'identity-register') as DemoEvent & {
      credentialId: string;
      publicKeyJwk: { kty: string; crv: string; x: string; y: string };
    };
    const login = events.find((e) => e.step === 'identity-login') as DemoEvent & {
      response: AuthenticationResponseJSON;
      expectedChallenge: string;
      expectedOrigin: string;
      expectedRPID: string;
    };
    expect(reg.publicKeyJwk).toMatchObject({ kty: 'EC', crv: 'P-256' });
    expect(login.response.id).toBe(reg.credentialId);
    expect(login).toMatchObject({ expectedOrigin: world.checkoutUrl, expectedRPID: '127.0.0.1', username: 'alice' });
    // The JWK as COSE_Key (RFC 9053 §7.1.1), as any relying party would store it.
    const b = (t: string) => new Uint8Array(Buffer.from(t, 'base64url'));
    const publicKey = new Uint8Array(
      encodeCborHost(new CborMap([1, 3, -1, -2, -3], [2, -7, 1, b(reg.publicKeyJwk.x), b(reg.publicKeyJwk.y)])),
    );
    const v = await verifyAuthenticationResponse({
      response: login.response,
      expectedChallenge: login.expectedChallenge,
      expectedOrigin: login.expectedOrigin,
      expectedRPID: login.expectedRPID,
      credential: { id: reg.credentialId, publicKey, counter: 0 },
    });
    expect(v.verified).toBe(true);
    expect(v.authenticationInfo).toMatchObject({ newCounter: 1, userVerified: true });
    // The same response against another challenge does not verify.
    await expect(
      verifyAuthenticationResponse({
        response: login.response,
        expectedChallenge: 'AAAA',
        expectedOrigin: login.expectedOrigin,
        expectedRPID: login.expectedRPID,
        credential: { id: reg.credentialId, publicKey, counter: 0 },
      }),
    ).rejects.toThrow();
  });

  it('declines the off-wrist payment with NOT_WORN and the revoked band with REVOKED', () => {
    const declined = events.filter((e) => e.outcome === 'declined');
    expect(declined.map((e) => e.status)).toEqual(['NOT_WORN', 'REVOKED']);
  });

  it('needs the button only above the limit', () => {
    const band = events.filter((e) => (e.step === 'pay' || e.step === 'transit') && e.outcome === 'approved');
    expect(band.map((e) => [e.amount, e.confirmed])).toEqual([
      [1250, false],
      [3800, false],
      [300, false],
      [32000, true],
    ]);
  });

  it('every approved band payment carries a token that an independent COSE library verifies with the JWK alone', () => {
    const band = events.filter((e) => e.outcome === 'approved' && e.step !== 'pay-password');
    expect(band.length).toBe(4);
    const counters: number[] = [];
    for (const e of band) {
      const jwk = e.deviceKey as { kty: string; crv: string; x: string; y: string };
      expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256' });
      const token = Buffer.from(e.token as string, 'base64url');
      const key = { x: Buffer.from(jwk.x, 'base64url'), y: Buffer.from(jwk.y, 'base64url') };
      expect(cose.sign.verifySync(token, { key }).length).toBeGreaterThan(0);
      const flipped = Buffer.from(token);
      flipped[flipped.length - 5] ^= 1;
      expect(() => cose.sign.verifySync(flipped, { key })).toThrow();
      counters.push(e.counter as number);
    }
    // Each card its own counter: ICBC (switched to at the first tap) 1, CMB 1, the transit card 1, CMB 2.
    expect(counters).toEqual([1, 1, 1, 2]);
  });

  it('shows the card that pays at each tap, within the display, and the receipt names the same card', () => {
    const taps = events.filter((e) => e.step === 'tap');
    expect(taps).toHaveLength(4);
    for (const [i, e] of taps.entries()) {
      expect(Object.keys(e).sort()).toEqual(['card', 'display', 'outcome', 'step']);
      const display = e.display as string[];
      const card = e.card as { kind: string; issuer: string; last4: string; city: string | null };
      expect(display).toHaveLength(4);
      for (const line of display) expect(line.length).toBeLessThanOrEqual(16);
      // The approved payment right after it: the amount the card pays (a promotion's, when one
      // follows it) on the display; the card's issuer and last 4.
      const paid = events[events.indexOf(e) + 1];
      const promotion = events[events.indexOf(e) + 2];
      const charged = promotion?.step === 'promotion' ? promotion.charged : paid.amount;
      expect(display[0]).toBe(`CNY ${((charged as number) / 100).toFixed(2)}`);
      expect(display[1]).toBe('Lu Yu Tea House');
      expect(display[2]).toBe(`${card.issuer.slice(0, 11)} ${card.last4}`);
      expect([card.kind, card.issuer, card.city]).toEqual(
        [
          ['bank', 'ICBC', null], // the default is CMB: the wearer pressed once in the window
          ['bank', 'China Merchants Bank', null],
          ['transit', 'Shanghai Public Transport Card', 'Shanghai'],
          ['bank', 'China Merchants Bank', null],
        ][i],
      );
    }
    expect(taps.map((e) => (e.display as string[])[3])).toEqual([
      'Press: next card',
      'Press: next card',
      'Shanghai 50.00', // express: no window; the balance before the fare
      'Press to confirm',
    ]);
  });

  it('leaves the ledger with exactly the approved payments, and the band wiped', async () => {
    const approved = events.filter((e) => e.outcome === 'approved');
    const sum = approved.reduce((a, e) => a + (e.amount as number), 0);
    const status = world.sim.band(1).status();
    expect(status.enrolled).toBe(false);
    expect(status.cards).toEqual([]);
    expect(approved.length).toBe(5);
    expect(sum).toBe(1250 + 3800 + 300 + 2600 + 32000);
  });
});
