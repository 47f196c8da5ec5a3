/**
 * `wristpay bridge find`: where and when the owner's band was last seen — the time of its last
 * contact with the checkout and the merchant and terminal that carried it. Never a place (the
 * checkout knows none) and no battery level (the band does not report one). No radio needed.
 */
import type { Command } from 'commander';
import type { Api } from '../checkout/api/client.ts';
import { findBand } from '../bridge/flows/find.ts';
import { type CliIo, Out, type SetExit } from './bridge-io.ts';
import { type OwnerOptions, common, login, owner, readConfig } from './command-kit.ts';

interface FindOpts extends OwnerOptions {
  band?: string;
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

export function registerFind(group: Command, io: CliIo, setExit: SetExit): void {
  owner(common(group.command('find')))
    .description('Where and when your band was last seen: the merchant, terminal and time of its last contact.')
    .option('--band <deviceId>', 'which of your bands (default: your only one)')
    .action(async (o: FindOpts) => {
      const out = new Out(io, o.json === true, setExit);
      if (o.band !== undefined && !DEVICE_ID.test(o.band))
        return out.usage(
          `--band: not a device id: ${o.band}`,
          "a band's 32 hex digits, as `wristpay bridge card list` shows",
        );
      const loaded = readConfig(out, o);
      if (!loaded) return;
      const who = await login(out, o, loaded.config);
      if (!who) return;
      try {
        const r = await findBand(who.client, o.band);
        if (!r.ok) return out.refuse(r);
        const b = r.value;
        out.success(
          { band: b },
          [
            `band ${b.deviceId} "${b.name}": ${b.status}`,
            `  ${lastSeenText(b.lastSeen)}`,
            '  battery: unknown (the band does not report it)',
          ].join('\n'),
        );
      } finally {
        await who.logout();
      }
    });
}
