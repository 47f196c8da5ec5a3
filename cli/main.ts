/**
 * The `wristpay` command line: a thin shell over library functions. Each group lives in
 * its own file and registers its subcommands; only this shell turns results into an
 * exit code (bin/wristpay.js sets process.exitCode).
 */
import { Command, CommanderError } from 'commander';
import { Status } from '../shared/status/codes.ts';
import { cliError, printError, usageError } from './cli-error.ts';
import { OutputClosedError, watchOutput } from './closed-pipe.ts';
import { ENVIRONMENT_HELP } from './defaults.ts';
import { EXIT_CODES_HELP, ExitCode } from './exit-codes.ts';
import { registerGroups } from './groups.ts';

/** What commander calls a success: --help, --version, a group run without a subcommand. */
const NOT_ERRORS = ['commander.helpDisplayed', 'commander.version', 'commander.help'];

export async function main(argv: string[]): Promise<number> {
  // --json anywhere before a lone `--`: errors are the JSON shape on stdout, even commander's own.
  const end = argv.indexOf('--');
  const json = (end === -1 ? argv : argv.slice(0, end)).includes('--json');
  const io = { stdout: process.stdout, stderr: process.stderr };
  const program = new Command();
  program
    .name('wristpay')
    .description('Pay with a fitness band and no password while it stays on your wrist.')
    .version('0.1.0')
    .exitOverride()
    .addHelpText('after', `\n${ENVIRONMENT_HELP}\n\n${EXIT_CODES_HELP}`);
  // Set before the groups are added: subcommands inherit output settings when created.
  if (json) program.configureOutput({ outputError: () => undefined });
  else program.showHelpAfterError('(add --help for usage)');
  let exitCode: number = ExitCode.OK;
  const setExit = (code: number): void => {
    exitCode = code;
  };
  watchOutput([process.stdout, process.stderr]);
  await registerGroups(program, setExit, argv);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (NOT_ERRORS.includes(err.code)) return ExitCode.OK;
      // Commander has printed its message on stderr already, unless --json silenced it.
      if (json)
        printError(
          io,
          true,
          usageError(err.message.replace(/^error: /, ''), 'see wristpay --help, or --help after the command'),
        );
      return ExitCode.USAGE;
    }
    if (err instanceof OutputClosedError) return ExitCode.OK;
    printError(io, json, cliError(Status.INTERNAL, err instanceof Error ? err.message : String(err)));
    return ExitCode.UNREACHABLE;
  }
  return exitCode;
}
