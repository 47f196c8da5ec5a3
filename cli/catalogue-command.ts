/**
 * `wristpay catalogue [--json]`: the banks (--issuer) and transit cities (--city) a card can
 * come from. The catalogue ships with wristpay, so no checkout needs to be running.
 */
import type { Command } from 'commander';
import { catalogue } from '../bridge/flows/catalogue.ts';
import { formatAmount } from './amount.ts';
import { type CliIo, Out, type SetExit, defaultIo } from './bridge-io.ts';
import { GROUP_SUMMARY } from './summaries.ts';

export function register(program: Command, setExit: SetExit, io: Partial<CliIo> = {}): void {
  const full: CliIo = { ...defaultIo(), ...io };
  program
    .command('catalogue')
    .description(GROUP_SUMMARY.catalogue)
    .option('--json', 'print one JSON object (for scripts)')
    .action((o: { json?: boolean }) => {
      const out = new Out(full, o.json === true, setExit);
      const { banks, cities } = catalogue();
      const human = [
        `Banks (wristpay bridge card add --issuer ID), ${banks.length}:`,
        ...banks.map((b) => `  ${b.id.padEnd(10)} ${b.name.padEnd(30)} ${b.country}  ${b.currency}`),
        '',
        `Transit cities (wristpay bridge card add --city ID), ${cities.length}:`,
        ...cities.map(
          (c) =>
            `  ${c.id.padEnd(10)} ${c.city.padEnd(10)} ${c.card.padEnd(31)} fare cap ${formatAmount(c.fareCap, c.currency)}`,
        ),
      ].join('\n');
      out.success({ banks, cities }, human);
    });
}
