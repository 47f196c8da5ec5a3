/**
 * The band as a WebAuthn authenticator (firmware/core/identity.ts): credentials made and
 * assertions signed only while worn and unlocked and after the button, a counter that is
 * committed before it signs and survives a reboot, refusals for an unknown RP, a wrong
 * credential, a full set of slots; every assertion checked by @simplewebauthn/server.
 */
import { verifyAuthenticationResponse } from '@simplewebauthn/server';
import { describe, expect, it } from 'vitest';
import {
  attestedCredential,
  authenticationResponse,
  clientDataJson,
  p1363ToDer,
  sha256,
} from '../../checkout/api/webauthn.ts';
import { toBase64Url } from '../../checkout/api/base64url.ts';
import type { ChallengeBody } from '../../shared/messages/bodies.ts';
import { Status } from '../../shared/status/codes.ts';
import { BandFixture } from '../support/band-fixture.ts';

const RP = 'shop.example';
const ORIGIN = 'https://shop.example';

function ceremony(
  f: BandFixture,
  kind: 'identity-register' | 'identity-assert',
  rpId = RP,
  credentialId?: Uint8Array,
): { body: ChallengeBody; clientData: Uint8Array; challenge: string } {
  const challenge = toBase64Url(f.checkout.provider.randomBytes(32));
  const clientData = clientDataJson(
    kind === 'identity-register' ? 'webauthn.create' : 'webauthn.get',
    challenge,
    ORIGIN,
  );
  const body = { kind, ...f.common(), rpId, clientDataHash: sha256(clientData) } as ChallengeBody;
  if (credentialId) (body as { credentialId?: Uint8Array }).credentialId = credentialId;
  return { body, clientData, challenge };
}

/** Sends the challenge, presses the button, opens the answer. */
function withPress(f: BandFixture, body: ChallengeBody) {
  const c = f.sendChallenge(body);
  expect(f.driver.received().some((r) => r.message.type === 'answer')).toBe(false);
  f.env.button.press();
  return f.checkout.openAnswer(c, f.driver.expect('answer'));
}

function register(f: BandFixture, rpId = RP) {
  const a = withPress(f, ceremony(f, 'identity-register', rpId).body);
  expect(a.status).toBe(Status.OK);
  const cred = attestedCredential(a.authData!);
  if (!cred) throw new Error('no attested credential');
  return cred;
}

async function verify(
  f: BandFixture,
  cred: { credentialId: Uint8Array; publicKey: Uint8Array },
  counter: number,
  rpId = RP,
) {
  const c = ceremony(f, 'identity-assert', rpId);
  const a = withPress(f, c.body);
  expect(a.status).toBe(Status.OK);
  const response = authenticationResponse(
    c.clientData,
    toBase64Url(a.credentialId!),
    a.authData!,
    p1363ToDer(a.signature!),
  );
  const v = await verifyAuthenticationResponse({
    response,
    expectedChallenge: c.challenge,
    expectedOrigin: ORIGIN,
    expectedRPID: RP,
    credential: { id: toBase64Url(cred.credentialId), publicKey: new Uint8Array(cred.publicKey), counter },
  });
  return v;
}

describe('band: identity key (WebAuthn authenticator)', () => {
  it('registers with "none" attestation: AT, UP, UV, counter 0, a 16-byte id and an ES256 COSE key', () => {
    const f = BandFixture.ready();
    const a = withPress(f, ceremony(f, 'identity-register').body);
    expect(a.status).toBe(Status.OK);
    expect(Buffer.from(a.authData!.subarray(0, 32))).toEqual(Buffer.from(sha256(new TextEncoder().encode(RP))));
    expect(a.authData![32]).toBe(0x45);
    const cred = attestedCredential(a.authData!)!;
    expect(cred.counter).toBe(0);
    expect(cred.credentialId.length).toBe(16);
    expect(f.env.display.text()).toContain(RP);
  });

  it('signs assertions that @simplewebauthn/server verifies, with a counter that rises and survives a reboot', async () => {
    const f = BandFixture.ready();
    const cred = register(f);
    const v1 = await verify(f, cred, 0);
    expect(v1.verified).toBe(true);
    expect(v1.authenticationInfo.newCounter).toBe(1);
    expect(v1.authenticationInfo.userVerified).toBe(true);
    expect((await verify(f, cred, 1)).authenticationInfo.newCounter).toBe(2);
    // Same flash and secure element after a reboot: the counter goes on from flash.
    f.driver.reboot();
    f.driver.putOn();
    f.unlock();
    expect((await verify(f, cred, 2)).authenticationInfo.newCounter).toBe(3);
  });

  it('refuses while not worn or locked, before any button', () => {
    const f = BandFixture.enrolled();
    expect(f.exchange(ceremony(f, 'identity-register').body).status).toBe(Status.NOT_WORN);
    f.driver.putOn();
    expect(f.exchange(ceremony(f, 'identity-register').body).status).toBe(Status.LOCKED);
  });

  it('without a press: CONFIRMATION_TIMEOUT after the timeout, and nothing signed', () => {
    const f = BandFixture.ready();
    register(f);
    const c = f.sendChallenge(ceremony(f, 'identity-assert').body);
    f.env.clock.advance(1600);
    expect(f.driver.received().filter((r) => r.message.type === 'keepalive').length).toBeGreaterThanOrEqual(3);
    f.env.clock.advance(30000);
    const a = f.checkout.openAnswer(c, f.driver.expect('answer'));
    expect(a).toEqual({ status: Status.CONFIRMATION_TIMEOUT });
  });

  it('taken off while waiting: NOT_WORN, and a press after that signs nothing', () => {
    const f = BandFixture.ready();
    register(f);
    const c = f.sendChallenge(ceremony(f, 'identity-assert').body);
    f.driver.takeOff();
    f.env.button.press();
    expect(f.checkout.openAnswer(c, f.driver.expect('answer'))).toEqual({ status: Status.NOT_WORN });
  });

  it('an RP it has no key for, or another credential than its own: UNKNOWN_CREDENTIAL without asking', () => {
    const f = BandFixture.ready();
    const cred = register(f);
    expect(f.exchange(ceremony(f, 'identity-assert', 'evil.example').body).status).toBe(Status.UNKNOWN_CREDENTIAL);
    const other = new Uint8Array(16).fill(7);
    expect(f.exchange(ceremony(f, 'identity-assert', RP, other).body).status).toBe(Status.UNKNOWN_CREDENTIAL);
    const a = withPress(f, ceremony(f, 'identity-assert', RP, cred.credentialId).body);
    expect(a.status).toBe(Status.OK);
  });

  it('holds four RPs; a fifth is IDENTITY_FULL; a wipe erases them all', () => {
    const f = BandFixture.ready();
    for (const rp of ['a.example', 'b.example', 'c.example', 'd.example']) register(f, rp);
    expect(f.exchange(ceremony(f, 'identity-register', 'e.example').body).status).toBe(Status.IDENTITY_FULL);
    // Registering again at a known RP makes a new key in its own slot.
    const again = register(f, 'b.example');
    expect(again.credentialId.length).toBe(16);
    for (let s = 3; s < 7; s++) expect(f.env.se.hasKey(s)).toBe(true);
    expect(f.exchange({ kind: 'wipe', ...f.common() }).status).toBe(Status.OK);
    for (let s = 3; s < 7; s++) expect(f.env.se.hasKey(s)).toBe(false);
  });

  it('a challenge replayed to the band is REPLAYED (its nonce is remembered)', () => {
    const f = BandFixture.ready();
    register(f);
    const { body } = ceremony(f, 'identity-assert');
    const c = f.sendChallenge(body);
    f.env.button.press();
    f.checkout.openAnswer(c, f.driver.expect('answer'));
    f.driver.send(c.message);
    expect(f.checkout.openAnswer(c, f.driver.expect('answer')).status).toBe(Status.REPLAYED);
  });
});
