/**
 * An account that asks for its band after the password (BAND_REQUIRED): the command shows the
 * sign-in code and waits, as the /login page does, while the owner runs
 * `wristpay bridge identity login CODE` at a bridge with the band (docs/BRIDGE.md "identity").
 */
import type { CheckoutClient } from '../checkout/api/client.ts';
import { loginState, startLogin } from '../checkout/api/identity-client.ts';
import type { Out } from './bridge-io.ts';

const POLL_MS = 1000;

/** The session token once the band has signed in; throws the checkout's refusal (expired, refused). */
export async function bandSecondFactor(
  out: Out,
  anon: CheckoutClient,
  username: string,
  password: string,
): Promise<string> {
  const started = await startLogin(anon, { username, password });
  out.info(
    `This account also asks for its band. At a bridge, with the band on your wrist and unlocked:\n  wristpay bridge identity login ${started.code}`,
  );
  out.spinner.start('Waiting for the band…');
  for (;;) {
    const s = await loginState(anon, started.ceremonyId, started.secret);
    if (s.state === 'signed-in') return s.token;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
