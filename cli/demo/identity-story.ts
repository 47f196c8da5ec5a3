/**
 * The demo's identity steps (docs/CHECKOUT.md "Sign in with your band"): the worn, unlocked
 * band becomes the owner's sign-in key, then signs a waiting login page in. The events carry
 * what any WebAuthn library needs to verify the assertion on its own: the registered key as a
 * JWK, the AuthenticationResponseJSON, and the expected challenge, origin and RP ID.
 */
import type { CheckoutClient } from '../../checkout/api/client.ts';
import { loginState, startLogin } from '../../checkout/api/identity-client.ts';
import { loginWithBand, registerIdentity } from '../../bridge/flows/identity.ts';
import type { Outcome } from '../../bridge/flows/outcome.ts';
import type { BandSession } from '../../bridge/relay/band-session.ts';

export interface IdentityScene {
  anon: CheckoutClient;
  owner: CheckoutClient;
  session: BandSession;
  /** The wearer presses the band's button. */
  press(): void;
  /** The story's emit (story.ts Emit). */
  emit: (event: { step: string; outcome: 'ok'; [field: string]: unknown }, sentence: string) => void;
  must<T>(o: Outcome<T>, what: string): T;
}

export async function identitySteps(s: IdentityScene): Promise<void> {
  const pressOnce = () => {
    let pressed = false;
    return {
      onKeepalive: () => {
        if (pressed) return;
        pressed = true;
        s.press(); // the band shows the site; the wearer presses to agree
      },
    };
  };
  const reg = s.must(await registerIdentity(s.owner, s.session, pressOnce()), 'identity-register');
  s.emit(
    {
      step: 'identity-register',
      outcome: 'ok',
      credentialId: reg.credential.credentialId,
      publicKeyJwk: reg.credential.publicKeyJwk,
      rpId: reg.rpId,
    },
    `Made the band a sign-in key for ${reg.rpId} (after a button press)`,
  );

  // A login page waits with its code; the band signs it in at the bridge.
  const waiting = await startLogin(s.anon);
  const proof = s.must(await loginWithBand(s.anon, s.session, waiting.code, pressOnce()), 'identity-login');
  const state = await loginState(s.anon, waiting.ceremonyId, waiting.secret);
  s.emit(
    {
      step: 'identity-login',
      outcome: 'ok',
      response: proof.response,
      expectedChallenge: proof.expectedChallenge,
      expectedOrigin: proof.expectedOrigin,
      expectedRPID: proof.expectedRPID,
      username: state.state === 'signed-in' ? state.account.username : null,
    },
    `Signed in with the band, no password (code ${waiting.code})`,
  );
}
