/**
 * A `wristpay`-like entry with only the checkout group registered, so the CLI test does
 * not depend on how cli/groups.ts wires the groups. Exit code as the shell sets it.
 */
import { Command } from 'commander';
import { register } from '../../../cli/checkout-commands.ts';

let code = 0;
const program = new Command().name('wristpay').exitOverride();
register(program, (c) => {
  code = c;
});
await program.parseAsync(process.argv);
process.exitCode = code;
