/**
 * `wristpay bridge identity register|login|list|require`: the band as a sign-in key for the
 * checkout's own pages (docs/BRIDGE.md "identity"). `register` and `list`/`require` need the
 * owner's account; `login CODE` needs only the band and the code the waiting page shows.
 */
import type { Command } from 'commander';
import { CheckoutClient } from '../checkout/api/client.ts';
import { credentials, setBandRequired } from '../checkout/api/identity-client.ts';
import type { CredentialJson } from '../checkout/api/identity-types.ts';
import { loginWithBand, registerIdentity } from '../bridge/flows/identity.ts';
import { attempt } from '../bridge/flows/outcome.ts';
import type { RelayOptions } from '../bridge/flows/relay-challenge.ts';
import { Status } from '../shared/status/codes.ts';
import { identityKeys } from '../bridge/config/bridge-config.ts';
import { type CliIo, Out, type SetExit } from './bridge-io.ts';
import { type OwnerOptions, checkoutUrl, common, login, owner, radio, readConfig } from './command-kit.ts';
import { type AtBand, type RadioOptions, openBand } from './radio-session.ts';

interface IdentityOpts extends OwnerOptions, RadioOptions {
  required?: boolean;
}

function credentialLine(c: CredentialJson): string {
  const used = c.lastUsedAt === null ? 'never used' : `last used ${new Date(c.lastUsedAt).toISOString()}`;
  return `  ${c.credentialId}  band ${c.deviceId}  counter ${c.counter}, ${used}${c.required ? '  (required)' : ''}`;
}

/** Tells the wearer to press the button, once. */
function pressPrompt(out: Out, what: string): RelayOptions {
  let prompted = false;
  return {
    onKeepalive: (k) => {
      if (prompted || k.status !== Status.CONFIRMATION_REQUIRED) return;
      prompted = true;
      out.info(`Press the button on the band to ${what} (${Math.round(k.remainingMs / 1000)} s).`);
      out.spinner.start('Waiting for the button…');
    },
  };
}

export function registerIdentityCommands(group: Command, io: CliIo, setExit: SetExit): void {
  const id = group
    .command('identity')
    .description('Your band as a sign-in key for the checkout: register it, sign in with it.');

  radio(owner(common(id.command('register'))))
    .description('Make your worn, unlocked band a sign-in key for your account (press its button).')
    .option('--required', 'from now on, ask for the band after the password too')
    .action(async (o: IdentityOpts) => {
      const out = new Out(io, o.json === true, setExit);
      const loaded = readConfig(out, o);
      if (!loaded) return;
      const who = await login(out, o, loaded.config);
      if (!who) return;
      let at: AtBand | null = null;
      try {
        at = await openBand(out, o, true, identityKeys(loaded.config));
        if (!at) return;
        out.spinner.start('Asking the band for a sign-in key…');
        const r = await registerIdentity(who.client, at.session as NonNullable<AtBand['session']>, {
          ...pressPrompt(out, 'make the key'),
          required: o.required === true,
        });
        if (!r.ok) return out.refuse(r);
        out.success(
          { credential: r.value.credential, rpId: r.value.rpId },
          [
            `Registered: your band signs you in at ${r.value.rpId}.`,
            credentialLine(r.value.credential),
            r.value.credential.required ? 'The password alone no longer signs you in: the band must too.' : '',
          ]
            .filter(Boolean)
            .join('\n'),
        );
      } finally {
        await at?.close();
        await who.logout();
      }
    });

  radio(common(id.command('login')))
    .description('Sign the waiting login page in with the band on your wrist: the code it shows.')
    .argument('<code>', 'the code the sign-in page shows (ABCD-EFGH)')
    .option('--checkout <url>', "checkout URL (default: $WRISTPAY_CHECKOUT, else the config's)")
    .action(async (code: string, o: IdentityOpts) => {
      const out = new Out(io, o.json === true, setExit);
      const loaded = readConfig(out, o);
      if (!loaded) return;
      const url = checkoutUrl(out, o.checkout, loaded.config);
      if (!url) return;
      const at = await openBand(out, o, true, identityKeys(loaded.config));
      if (!at) return;
      try {
        out.spinner.start('Signing in with the band…');
        const r = await loginWithBand(
          new CheckoutClient(url, { fetch: io.fetch }),
          at.session as NonNullable<AtBand['session']>,
          code,
          pressPrompt(out, 'sign in'),
        );
        if (!r.ok) return out.refuse(r);
        out.success({ ...r.value }, 'Signed in: the waiting page continues by itself.');
      } finally {
        await at.close();
      }
    });

  owner(common(id.command('list')))
    .description('Your sign-in keys: which band, its counter, when last used.')
    .action(async (o: IdentityOpts) => {
      const out = new Out(io, o.json === true, setExit);
      const loaded = readConfig(out, o);
      if (!loaded) return;
      const who = await login(out, o, loaded.config);
      if (!who) return;
      try {
        const r = await attempt('checkout', () => credentials(who.client));
        if (!r.ok) return out.refuse(r);
        out.success(
          { credentials: r.value },
          r.value.length ? r.value.map(credentialLine).join('\n') : 'No sign-in keys.',
        );
      } finally {
        await who.logout();
      }
    });

  owner(common(id.command('require')))
    .description('Whether the band is asked for after the password (on|off).')
    .argument('<on|off>', 'on: password and band; off: either alone')
    .action(async (onOff: string, o: IdentityOpts) => {
      const out = new Out(io, o.json === true, setExit);
      if (onOff !== 'on' && onOff !== 'off') return out.usage(`on or off, not ${JSON.stringify(onOff)}`);
      const loaded = readConfig(out, o);
      if (!loaded) return;
      const who = await login(out, o, loaded.config);
      if (!who) return;
      try {
        const r = await attempt('checkout', () => setBandRequired(who.client, onOff === 'on'));
        if (!r.ok) return out.refuse(r);
        out.success(
          { credentials: r.value },
          onOff === 'on' ? 'The band is now asked for after the password.' : 'The password alone signs you in again.',
        );
      } finally {
        await who.logout();
      }
    });
}
