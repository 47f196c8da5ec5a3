/**
 * `wristpay sim …` as a process, before groups.ts wires the group in:
 *   node --import tsx test/sim/helpers/sim-cli.ts sim start --state DIR …
 * Same shell behaviour as cli/main.ts (exit code from setExit, 2 on usage errors).
 */
import { Command, CommanderError } from 'commander';
import { register } from '../../../cli/sim-commands.ts';

const program = new Command().name('wristpay').exitOverride();
let code = 0;
register(program, (c) => (code = c));
try {
  await program.parseAsync(process.argv);
} catch (err) {
  code = err instanceof CommanderError ? (err.exitCode === 0 ? 0 : 2) : 3;
  if (!(err instanceof CommanderError)) process.stderr.write(`wristpay: ${String(err)}\n`);
}
process.exitCode = code;
