/**
 * The `wristpay` command line: a thin shell over library functions. Each group lives in
 * its own file and registers its subcommands; only this shell turns results into an
 * exit code (bin/wristpay.js sets process.exitCode).
 */
import { Command, CommanderError } from 'commander';
import { OutputClosedError, watchOutput } from './closed-pipe.ts';
import { ExitCode } from './exit-codes.ts';
import { registerGroups } from './groups.ts';

export async function main(argv: string[]): Promise<number> {
  const program = new Command();
  program
    .name('wristpay')
    .description('Pay with a fitness band and no password while it stays on your wrist.')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError();
  let exitCode: number = ExitCode.OK;
  const setExit = (code: number): void => {
    exitCode = code;
  };
  watchOutput([process.stdout, process.stderr]);
  registerGroups(program, setExit);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version are "errors" to commander but successes to a user.
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return ExitCode.OK;
      return ExitCode.USAGE;
    }
    if (err instanceof OutputClosedError) return ExitCode.OK;
    process.stderr.write(`wristpay: ${err instanceof Error ? err.message : String(err)}\n`);
    return ExitCode.UNREACHABLE;
  }
  return exitCode;
}
