/**
 * `wristpay bridge find`: where and when the owner's band was last seen — the time of its last
 * contact with the checkout, the merchant and terminal that carried it, and its battery then.
 * Never a place (the checkout knows none). `--ring` asks the band to ring and flash its display
 * at its next contact with any terminal; `--cancel-ring` withdraws that. No radio needed.
 */
import type { Command } from 'commander';
import type { Api } from '../checkout/api/client.ts';
import { findBand } from '../bridge/flows/find.ts';
import { type CliIo, Out, type SetExit } from './bridge-io.ts';
import { type OwnerOptions, common, login, owner, readConfig } from './command-kit.ts';

interface FindOpts extends OwnerOptions {
  band?: string;
  ring?: boolean;
  cancelRing?: boolean;
}

/** A device id as the checkout writes it: 16 bytes in hex (docs/PROTOCOL.md §3). */
const DEVICE_ID = /^[0-9a-fA-F]{32}$/;

/** "last seen at Tea House's terminal till 1, 2026-…Z" or "never seen since it was enrolled". */
export function lastSeenText(seen: Api.LastSeenView | null): string {
  if (!seen) return 'never seen since it was enrolled';
  const time = new Date(seen.at).toISOString();
  if (seen.terminal === null) return `last seen when you unlocked it (not at a terminal), ${time}`;
  return `last seen at ${seen.merchant ?? 'a merchant'}'s terminal ${seen.terminal}, ${time}`;
}

/** "battery: 42 % at its last contact" or why it is not known. */
export function batteryText(seen: Api.LastSeenView | null): string {
  if (seen === null || seen.battery === null) return 'battery: unknown (it said nothing at its last contact)';
  return `battery: ${seen.battery} % at its last contact`;
}

/** Where the owner's ring request stands. */
export function ringText(b: Api.FoundBandView): string {
  if (b.ringRequestedAt !== null)
    return `ring: asked ${new Date(b.ringRequestedAt).toISOString()}; it rings at its next contact with a terminal`;
  if (b.rangAt !== null) return `ring: last rang ${new Date(b.rangAt).toISOString()}`;
  return 'ring: not asked (--ring makes it ring at its next contact)';
}

export function registerFind(group: Command, io: CliIo, setExit: SetExit): void {
  owner(common(group.command('find')))
    .description('Where and when your band was last seen: the merchant, terminal and time of its last contact.')
    .option('--band <deviceId>', 'which of your bands (default: your only one)')
    .option('--ring', 'ask the band to ring and flash its display at its next contact with a terminal')
    .option('--cancel-ring', 'withdraw that request')
    .action(async (o: FindOpts) => {
      const out = new Out(io, o.json === true, setExit);
      if (o.band !== undefined && !DEVICE_ID.test(o.band))
        return out.usage(
          `--band: not a device id: ${o.band}`,
          "a band's 32 hex digits, as `wristpay bridge card list` shows",
        );
      if (o.ring && o.cancelRing) return out.usage('--ring and --cancel-ring together', 'give one of them');
      const loaded = readConfig(out, o);
      if (!loaded) return;
      const who = await login(out, o, loaded.config);
      if (!who) return;
      try {
        const ring = o.ring ? true : o.cancelRing ? false : undefined;
        const r = await findBand(who.client, o.band, ring);
        if (!r.ok) return out.refuse(r);
        const b = r.value;
        out.success(
          { band: b },
          [
            `band ${b.deviceId} "${b.name}": ${b.status}`,
            `  ${lastSeenText(b.lastSeen)}`,
            `  ${batteryText(b.lastSeen)}`,
            `  ${ringText(b)}`,
          ].join('\n'),
        );
      } finally {
        await who.logout();
      }
    });
}
