/**
 * The band as an identity key end to end: the real firmware (in-process) ↔ relay ↔ the real
 * checkout over HTTP. Register the band, sign in passwordless and as the second factor after
 * the password; every assertion also verified independently with @simplewebauthn/server from
 * the registered public key (as the demo's event offers it). Bad input: a locked band, no
 * button press, another origin, a replayed assertion, two sign-ins with one challenge, an
 * unknown credential, a cloned key whose counter goes back.
 */
import { verifyAuthenticationResponse } from '@simplewebauthn/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toBase64Url } from '../../checkout/api/base64url.ts';
import { CheckoutHttpError, type CheckoutClient } from '../../checkout/api/client.ts';
import {
  finishLogin,
  loginChallenge,
  loginOptions,
  loginState,
  setBandRequired,
  startLogin,
} from '../../checkout/api/identity-client.ts';
import { authenticationResponse, clientDataJson, p1363ToDer, sha256 } from '../../checkout/api/webauthn.ts';
import { enrollBand, readHello, revoke, unlockBand } from '../../bridge/flows/index.ts';
import { type IdentityLoggedIn, loginWithBand, registerIdentity } from '../../bridge/flows/identity.ts';
import { encodeCborHost } from '../../shared/cbor/host.ts';
import { CborMap } from '../../shared/cbor/types.ts';
import { concat } from '../../shared/crypto/bytes.ts';
import type { KeepaliveMessage } from '../../shared/messages/clear.ts';
import { PASSWORD, type World, startWorld } from './helpers/world.ts';

let w: World;
let jwk: { x: string; y: string };
let credentialId = '';

/** Presses the band's button at its first KEEPALIVE, as the wearer would. */
const press = () => ({
  onKeepalive: (k: KeepaliveMessage) => {
    if (k.remainingMs > 0) w.band.env.button.press();
  },
});

/** The COSE_Key of a P-256 JWK: what any RP stores, rebuilt from the demo event's publicKeyJwk. */
function coseOf(j: { x: string; y: string }): Uint8Array<ArrayBuffer> {
  const b = (s: string) => new Uint8Array(Buffer.from(s, 'base64url'));
  return new Uint8Array(encodeCborHost(new CborMap([1, 3, -1, -2, -3], [2, -7, 1, b(j.x), b(j.y)])));
}

async function signIn(code: string): Promise<IdentityLoggedIn> {
  const r = await loginWithBand(w.h.client, await w.session(), code, press());
  if (!r.ok) throw new Error(`${r.name}: ${r.message}`);
  return r.value;
}

async function refusedWith(p: Promise<unknown>, name: string): Promise<void> {
  const e = await p.then(
    () => undefined,
    (x) => x,
  );
  expect(e).toBeInstanceOf(CheckoutHttpError);
  expect((e as CheckoutHttpError).statusName).toBe(name);
}

beforeAll(async () => {
  w = await startWorld(11);
  const e = await enrollBand(w.owner, await w.session(), { name: 'id band' });
  if (!e.ok) throw new Error(e.message);
});
afterAll(async () => {
  await w?.close();
});

describe('the band as an identity key', () => {
  it('a locked band is not asked: LOCKED; once unlocked it registers after the button', async () => {
    w.band.putOn();
    const locked = await registerIdentity(w.owner, await w.session(), press());
    expect(locked.ok ? 'ok' : locked.name).toBe('LOCKED');
    const u = await unlockBand(w.h.client, await w.session(), w.username, PASSWORD);
    if (!u.ok) throw new Error(u.message);
    const r = await registerIdentity(w.owner, await w.session(), press());
    if (!r.ok) throw new Error(`${r.name}: ${r.message}`);
    expect(r.value.rpId).toBe('127.0.0.1');
    expect(r.value.credential).toMatchObject({
      counter: 0,
      required: false,
      deviceId: w.band.booted.status().deviceId,
    });
    credentialId = r.value.credential.credentialId;
    jwk = r.value.credential.publicKeyJwk;
  });

  it('signs in passwordless: the waiting side gets its session once, and the assertion verifies independently', async () => {
    const started = await startLogin(w.h.client);
    expect(await loginState(w.h.client, started.ceremonyId, started.secret)).toMatchObject({ state: 'waiting' });
    const proof = await signIn(started.code);
    const v = await verifyAuthenticationResponse({
      response: proof.response,
      expectedChallenge: proof.expectedChallenge,
      expectedOrigin: proof.expectedOrigin,
      expectedRPID: proof.expectedRPID,
      credential: { id: credentialId, publicKey: coseOf(jwk), counter: 0 },
    });
    expect(v.verified).toBe(true);
    expect(v.authenticationInfo.newCounter).toBe(1);
    // Another browser (no secret) gets nothing; the starter gets the session, once.
    await refusedWith(loginState(w.h.client, started.ceremonyId, 'not-the-secret'), 'REPLAYED');
    const s = await loginState(w.h.client, started.ceremonyId, started.secret);
    if (s.state !== 'signed-in') throw new Error('not signed in');
    expect(s.account.username).toBe(w.username);
    expect((await w.h.client.withToken(s.token).me()).username).toBe(w.username);
    await refusedWith(loginState(w.h.client, started.ceremonyId, started.secret), 'REPLAYED');
    // The same assertion again, for the same (spent) sign-in: REPLAYED.
    await refusedWith(finishLogin(w.h.client, started.code, proof.response), 'REPLAYED');
  });

  it('the assertion of one sign-in does not sign another one in (its challenge is not this one)', async () => {
    const first = await startLogin(w.h.client);
    const proof = await signIn(first.code);
    const second = await startLogin(w.h.client);
    await refusedWith(finishLogin(w.h.client, second.code, proof.response), 'UNKNOWN_CREDENTIAL');
    expect(await loginState(w.h.client, second.ceremonyId, second.secret)).toMatchObject({ state: 'waiting' });
  });

  it('as the second factor: the password alone is BAND_REQUIRED, password + band signs in', async () => {
    await setBandRequired(w.owner, true);
    await refusedWith(w.h.client.loginAs(w.username, PASSWORD), 'BAND_REQUIRED');
    await refusedWith(startLogin(w.h.client, { username: w.username, password: 'wrong' }), 'UNAUTHORIZED');
    const started = await startLogin(w.h.client, { username: w.username, password: PASSWORD });
    const options = await loginOptions(w.h.client, started.code);
    expect(options.allowCredentials.map((c) => c.id)).toEqual([credentialId]);
    await signIn(started.code);
    const s = await loginState(w.h.client, started.ceremonyId, started.secret);
    expect(s.state).toBe('signed-in');
    await setBandRequired(w.owner, false);
    expect((await w.h.client.loginAs(w.username, PASSWORD)).baseUrl).toBe(w.h.client.baseUrl);
  });

  it('no button press: CONFIRMATION_TIMEOUT from the band, and nobody is signed in', async () => {
    const started = await startLogin(w.h.client);
    // The band's clock runs past its 30 s wait once (the band's and the checkout's clocks stay
    // 31 s apart after: within a challenge's 60 s).
    let waited = false;
    const r = await loginWithBand(w.h.client, await w.session(), started.code, {
      onKeepalive: () => {
        if (waited) return;
        waited = true;
        w.band.env.clock.advance(31_000);
      },
    });
    expect(r.ok ? 'ok' : r.name).toBe('CONFIRMATION_TIMEOUT');
    expect(await loginState(w.h.client, started.ceremonyId, started.secret)).toMatchObject({ state: 'waiting' });
  });

  it('client data for another origin or ceremony is never given to the band to sign', async () => {
    const started = await startLogin(w.h.client);
    const options = await loginOptions(w.h.client, started.code);
    const hello = await readHello(await w.session());
    if (!hello.ok) throw new Error(hello.message);
    const evil = clientDataJson('webauthn.get', options.challenge, 'https://evil.example');
    await refusedWith(loginChallenge(w.h.client, started.code, hello.value.bytes, evil), 'CLAIM_MISMATCH');
    const other = clientDataJson('webauthn.get', toBase64Url(new Uint8Array(32)), new URL(w.h.client.baseUrl).origin);
    await refusedWith(loginChallenge(w.h.client, started.code, hello.value.bytes, other), 'CLAIM_MISMATCH');
    await refusedWith(loginOptions(w.h.client, 'NOSUCHCO'), 'NOT_FOUND');
  });

  it('two sign-ins with one challenge at once: one is accepted, the other REPLAYED', async () => {
    const started = await startLogin(w.h.client);
    const options = await loginOptions(w.h.client, started.code);
    const { response } = await forgedAssertion(started.code, options.challenge, 1_000);
    const got = await Promise.allSettled([
      finishLogin(w.h.client, started.code, response),
      finishLogin(w.h.client, started.code, response),
    ]);
    expect(got.filter((g) => g.status === 'fulfilled')).toHaveLength(1);
    const failed = got.find((g) => g.status === 'rejected') as PromiseRejectedResult;
    expect((failed.reason as CheckoutHttpError).statusName).toBe('REPLAYED');
  });

  it('an unknown credential, and a cloned key whose counter goes back, are refused', async () => {
    const started = await startLogin(w.h.client);
    const options = await loginOptions(w.h.client, started.code);
    const forged = await forgedAssertion(started.code, options.challenge, 1);
    await refusedWith(
      finishLogin(w.h.client, started.code, {
        ...forged.response,
        id: 'AAAAAAAAAAAAAAAAAAAAAA',
        rawId: 'AAAAAAAAAAAAAAAAAAAAAA',
      }),
      'UNKNOWN_CREDENTIAL',
    );
    await refusedWith(finishLogin(w.h.client, started.code, forged.response), 'COUNTER_NOT_INCREASING');
  });

  it('an assertion for another RP ID is refused (CLAIM_MISMATCH), and the sign-in can still finish', async () => {
    const started = await startLogin(w.h.client);
    const options = await loginOptions(w.h.client, started.code);
    const other = await forgedAssertion(started.code, options.challenge, 5_000, 'evil.example');
    await refusedWith(finishLogin(w.h.client, started.code, other.response), 'CLAIM_MISMATCH');
    expect(await loginState(w.h.client, started.ceremonyId, started.secret)).toMatchObject({ state: 'waiting' });
  });

  it('a band turned off signs nobody in: REVOKED (and its wipe erases the key)', async () => {
    const revoked = await revoke(w.owner);
    if (!revoked.ok) throw new Error(revoked.message);
    const started = await startLogin(w.h.client);
    const r = await loginWithBand(w.h.client, await w.session(), started.code, press());
    expect(r.ok ? 'ok' : r.name).toBe('REVOKED');
    expect(r.ok ? undefined : r.wipe, JSON.stringify(r)).toMatchObject({ delivered: true });
    expect(w.band.env.se.hasKey(3)).toBe(false);
  });
});

/**
 * An assertion signed with the band's own identity key (the test reaches into the emulated
 * secure element: what a cloned key could do) with the counter `count`, after the checkout
 * issued the ceremony's challenge to the band (which binds the band to the ceremony).
 */
async function forgedAssertion(code: string, challenge: string, count: number, rpId = '127.0.0.1') {
  const client: CheckoutClient = w.h.client;
  const clientData = clientDataJson('webauthn.get', challenge, new URL(client.baseUrl).origin);
  const hello = await readHello(await w.session());
  if (!hello.ok) throw new Error(hello.message);
  await loginChallenge(client, code, hello.value.bytes, clientData);
  const counter = new Uint8Array([count >>> 24, (count >>> 16) & 255, (count >>> 8) & 255, count & 255]);
  const authData = concat(sha256(new TextEncoder().encode(rpId)), new Uint8Array([0x05]), counter);
  const sig = w.band.env.se.sign(3, concat(authData, sha256(clientData)));
  if (!sig) throw new Error('no identity key in slot 3');
  return { response: authenticationResponse(clientData, credentialId, authData, p1363ToDer(sig)) };
}
