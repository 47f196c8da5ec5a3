/**
 * `wristpay checkout start …` as its own process, for the SIGKILL test: the real `checkout`
 * command group (cli/checkout-commands.ts) on its own, so this test does not depend
 * on how bin/wristpay.js wires the other groups. Same arguments, output and exit codes.
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
