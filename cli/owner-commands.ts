/**
 * The owner's bridge commands: `enroll` a band, `unlock` it for the day, `card add|list|remove`,
 * `revoke` a lost band, and `status`. The account password is typed without echo (or read
 * with --password-stdin) and goes to the checkout only.
 */
import type { Command } from 'commander';
import type { Api } from '../checkout/api/client.ts';
import { CheckoutClient } from '../checkout/api/client.ts';
import { addCard, listCards, removeCard } from '../bridge/flows/cards.ts';
import { checkCity, checkIssuer } from '../bridge/flows/catalogue.ts';
import type { Outcome } from '../bridge/flows/outcome.ts';
import { enrollBand, revoke, unlockBand } from '../bridge/flows/owner.ts';
import { terminalClient } from '../bridge/flows/pair.ts';
import { status } from '../bridge/flows/status.ts';
import { formatAmount, parseAmount } from './amount.ts';
import { type CliIo, Out, type SetExit } from './bridge-io.ts';
import {
  type OwnerLogin,
  type OwnerOptions,
  checkoutUrl,
  common,
  deviceTokens,
  login,
  owner,
  radio,
  readConfig,
  secret,
} from './command-kit.ts';
import { type AtBand, type RadioOptions, openBand } from './radio-session.ts';
import { type LoadedConfig, identityKeys, rememberOwnBand } from '../bridge/config/bridge-config.ts';

interface BandOpts extends OwnerOptions, RadioOptions {
  band?: string;
  name?: string;
}
interface AddOpts extends BandOpts {
  issuer?: string;
  city?: string;
  balance?: string;
}

function cardLine(c: Api.CardView): string {
  const extra =
    c.kind === 'transit' && c.balance !== null
      ? `  balance ${formatAmount(c.balance, c.currency)}`
      : c.isDefault
        ? '  (default)'
        : '';
  return `  ${c.cardRef.padEnd(26)} ${c.kind.padEnd(8)} ${c.issuer} ••••${c.last4}  ${c.state}${extra}`;
}

function bandText(b: Api.BandView): string {
  const head = `band ${b.deviceId} "${b.name}": ${b.status}${b.unlockedAt ? `, last unlocked ${new Date(b.unlockedAt).toISOString()}` : ''}`;
  return [head, ...(b.cards.length ? b.cards.map(cardLine) : ['  no cards'])].join('\n');
}

/**
 * Runs `body` with an owner login and (when `needBand`) the owner's band — the nearest whose
 * private address resolves with an identity key in the config, or the nearest band when the
 * config holds none (or for `enroll`: a band not enrolled yet has no key anyone holds) —
 * then logs out and releases the radio whatever happened.
 */
async function withOwner(
  out: Out,
  o: BandOpts,
  needBand: boolean | 'any',
  body: (who: OwnerLogin, at: AtBand | null, loaded: LoadedConfig) => Promise<void>,
): Promise<void> {
  const loaded = readConfig(out, o);
  if (!loaded) return;
  const who = await login(out, o, loaded.config);
  if (!who) return;
  let at: AtBand | null = null;
  try {
    if (needBand) {
      at = await openBand(out, o, true, needBand === 'any' ? undefined : identityKeys(loaded.config, o.band));
      if (!at) return;
    }
    await body(who, at, loaded);
  } finally {
    await at?.close();
    await who.logout();
  }
}

function report<T>(out: Out, r: Outcome<T>, ok: (v: T) => [Record<string, unknown>, string]): void {
  if (!r.ok) return out.refuse(r);
  const [value, human] = ok(r.value);
  out.success(value, human);
}

export function registerOwner(group: Command, io: CliIo, setExit: SetExit): void {
  radio(owner(common(group.command('enroll'))))
    .description('Enroll the nearest band with your account (it must not be enrolled yet).')
    .option('--name <name>', 'a name for the band on your dashboard', 'my band')
    .action(async (o: BandOpts) => {
      const out = new Out(io, o.json === true, setExit);
      await withOwner(out, o, 'any', async (who, at, loaded) => {
        out.spinner.start('Enrolling the band…');
        const r = await enrollBand(who.client, at?.session as NonNullable<AtBand['session']>, { name: o.name });
        if (r.ok && r.value.identityKey !== null) {
          // This bridge now recognises the band behind its rotating private addresses (docs/PROTOCOL.md §7).
          rememberOwnBand(loaded.path, {
            deviceId: r.value.deviceId,
            irk: Buffer.from(r.value.identityKey).toString('hex'),
            enrolledAt: Date.now(),
          });
        } else if (r.ok) {
          out.warn(
            `the band's identity key did not arrive (${r.value.identityKeyProblem}); owner commands use the nearest band`,
          );
        }
        report(out, r, ({ turnOffCode, identityKey, identityKeyProblem, ...b }) => [
          { band: b, turnOffCode, identityKeySaved: identityKey !== null },
          [
            `Enrolled: ${bandText(b)}`,
            '',
            `Your turn-off code: ${turnOffCode}`,
            'Keep it somewhere safe, away from the band (it is shown only now): if the band is lost, enter',
            'your username and this code at /lost on the checkout to turn it off, no password needed.',
          ].join('\n'),
        ]);
      });
    });

  radio(owner(common(group.command('unlock'))))
    .description('Unlock the band on your wrist with your account password (until it comes off).')
    .action(async (o: BandOpts) => {
      const out = new Out(io, o.json === true, setExit);
      const loaded = readConfig(out, o);
      if (!loaded) return;
      const url = checkoutUrl(out, o.checkout, loaded.config);
      if (!url || !o.user) return;
      const password = await secret(out, o.passwordStdin, `Password for ${o.user}: `);
      if (password === null) return;
      const at = await openBand(out, o, true, identityKeys(loaded.config));
      if (!at) return;
      try {
        out.spinner.start('Unlocking…');
        const device = deviceTokens(out, o, loaded.config, url, o.user);
        const r = await unlockBand(
          new CheckoutClient(url, { fetch: io.fetch }),
          at.session as NonNullable<AtBand['session']>,
          o.user,
          password,
          { deviceToken: device.token, keepDeviceToken: device.keep },
        );
        report(out, r, (v) => [
          { ...v },
          v.alreadyUnlocked
            ? 'Already unlocked: the band pays without a password while it stays on your wrist.'
            : 'Unlocked: the band pays without a password while it stays on your wrist.',
        ]);
      } finally {
        await at.close();
      }
    });

  const card = group.command('card').description('The cards on your band: add, list, remove.');

  radio(owner(common(card.command('add'))))
    .description('Add a bank card (--issuer) or a transit card (--city) to the nearest band.')
    .option('--issuer <id>', 'bank card issuer from the catalogue (icbc, cmb, hsbc-hk, …)')
    .option('--city <id>', 'transit card city from the catalogue (shanghai, beijing, hongkong, …)')
    .option('--balance <amount>', "opening balance of a transit card (default: the city's)")
    .option('--band <deviceId>', 'which of your bands (default: your only one)')
    .action(async (o: AddOpts) => {
      const out = new Out(io, o.json === true, setExit);
      if ((o.issuer === undefined) === (o.city === undefined))
        return out.usage('name exactly one of --issuer ID or --city ID');
      const unknown = o.issuer !== undefined ? checkIssuer(o.issuer) : checkCity(o.city as string);
      if (unknown) return out.invalid(unknown.message, unknown.hint);
      let balance: number | undefined;
      if (o.balance !== undefined) {
        if (!o.city) return out.usage('--balance is for transit cards (--city)');
        const b = parseAmount(o.balance, 'CNY');
        if (b === null) return out.usage(`not an amount: ${o.balance}`);
        balance = b;
      }
      await withOwner(out, o, true, async (who, at) => {
        out.spinner.start('Adding the card…');
        const req = o.issuer ? { issuerId: o.issuer } : { cityId: o.city as string, balance };
        const r = await addCard(who.client, at?.session as NonNullable<AtBand['session']>, o.band, req);
        report(out, r, (c) => [{ card: c }, `Card added:\n${cardLine(c)}`]);
      });
    });

  owner(common(card.command('list')))
    .description('List your bands and their cards (no radio needed).')
    .option('--band <deviceId>', 'only this band')
    .action(async (o: BandOpts) => {
      const out = new Out(io, o.json === true, setExit);
      await withOwner(out, o, false, async (who) => {
        const r = await listCards(who.client, o.band);
        report(out, r, (bands) => [{ bands }, bands.length ? bands.map(bandText).join('\n') : 'No bands enrolled.']);
      });
    });

  radio(owner(common(card.command('remove'))))
    .description('Remove a card from the nearest band.')
    .argument('<cardRef>', 'the card reference (see card list)')
    .option('--band <deviceId>', 'which of your bands (default: your only one)')
    .action(async (cardRef: string, o: BandOpts) => {
      const out = new Out(io, o.json === true, setExit);
      await withOwner(out, o, true, async (who, at) => {
        out.spinner.start('Removing the card…');
        const r = await removeCard(who.client, at?.session as NonNullable<AtBand['session']>, o.band, cardRef);
        report(out, r, (v) => [{ ...v }, `Card ${v.cardRef} removed.`]);
      });
    });

  owner(common(group.command('revoke')))
    .description('Turn off wrist payments for a lost band; the next bridge that sees it wipes it.')
    .option('--band <deviceId>', 'which of your bands (default: your only one)')
    .action(async (o: BandOpts) => {
      const out = new Out(io, o.json === true, setExit);
      await withOwner(out, o, false, async (who) => {
        const r = await revoke(who.client, o.band);
        report(out, r, (b) => [
          { band: b },
          `Wrist payments turned off for band ${b.deviceId} ("${b.name}"); it is wiped the next time a bridge sees it.`,
        ]);
      });
    });

  radio(owner(common(group.command('status')), false))
    .description(
      'The nearest band (firmware, enrolled, wear state via the paired terminal) and, with --user, your bands.',
    )
    .action(async (o: BandOpts) => {
      const out = new Out(io, o.json === true, setExit);
      const loaded = readConfig(out, o);
      if (!loaded) return;
      const who = o.user ? await login(out, o, loaded.config) : null;
      if (o.user && !who) return;
      const at = await openBand(out, o, false);
      if (!at) return void (await who?.logout());
      try {
        const t = loaded.config.terminal;
        const r = await status(at.session, {
          terminal: t ? terminalClient(t, { provider: io.provider, fetch: io.fetch }) : undefined,
          owner: who?.client,
        });
        report(out, r, (v) => {
          const lines: string[] = [];
          if (v.band && at.band) {
            const b = v.band;
            lines.push(
              `nearest band ${at.band.id} (${at.band.rssi} dBm, MTU ${b.mtu}): firmware ${b.firmware ?? '?'}, ${b.enrolled ? 'enrolled' : 'not enrolled'}${b.wearState ? `, ${b.wearState}` : ''}`,
            );
            if (b.presence) lines.push(`  checkout: ${b.presence.name}: ${b.presence.message}`);
            if (b.wipe)
              lines.push(
                b.wipe.delivered
                  ? '  it was revoked: its queued wipe was delivered'
                  : `  it is revoked; the wipe failed: ${b.wipe.refusal?.name}`,
              );
            if (b.ring)
              lines.push(
                b.ring.delivered
                  ? '  its owner is looking for it: it is ringing'
                  : `  its owner is looking for it; ringing failed: ${b.ring.refusal?.name}`,
              );
          } else lines.push('no band nearby');
          if (v.bands) lines.push(...(v.bands.length ? v.bands.map(bandText) : ['no bands enrolled']));
          return [{ ...v, nearby: at.found }, lines.join('\n')];
        });
      } finally {
        await at.close();
        await who?.logout();
      }
    });
}
