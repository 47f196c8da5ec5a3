/** `wristpay demo [--json] [--keep]`: the whole story with real parts and embedded defaults. */
import type { Command } from 'commander';
import { startDemoWorld } from './demo/environment.ts';
import { demoPrinter } from './demo/printer.ts';
import { runStory } from './demo/story.ts';
import { OutputClosedError, lineWriter } from './closed-pipe.ts';
import { ExitCode } from './exit-codes.ts';
import { Status } from '../shared/status/codes.ts';
import { cliError, printError } from './cli-error.ts';
import { Spinner } from './spinner.ts';
import { GROUP_SUMMARY } from './summaries.ts';

export function register(program: Command, setExit: (code: number) => void): void {
  program
    .command('demo')
    .description(GROUP_SUMMARY.demo)
    .option('--json', 'one JSON object per line: {"step","outcome",...}')
    .option('--keep', 'keep the temporary directory (band state, checkout database)')
    .action(async (opts: { json?: boolean; keep?: boolean }) => {
      // On a terminal a spinner runs while a step works (the band waits for its button, the
      // radio scans); the printed lines are the same with or without it.
      const spinner = new Spinner(process.stderr, !!opts.json, process.stdout);
      // Stops the story (and cleans up below) once stdout's reader is gone: closed-pipe.ts.
      const print = demoPrinter(!!opts.json, spinner.around(lineWriter(process.stdout)));
      // Closed while starting: startDemoWorld cleans up and rethrows; main.ts ends quietly.
      const world = await startDemoWorld({
        keep: opts.keep,
        log: (s) => {
          print.note(s + '…');
          spinner.start(s);
        },
      }).finally(() => spinner.stop());
      let failed = 0;
      let steps = 0;
      try {
        print.note(`band simulator UI: ${world.sim.url}   checkout: ${world.checkoutUrl}`);
        spinner.start('step 1…');
        await runStory(world, (e, sentence) => {
          print.event(e, sentence);
          spinner.update(`step ${++steps + 1}…`);
        });
        spinner.stop();
        if (opts.keep) print.note(`kept ${world.dir}`);
      } catch (err) {
        spinner.stop();
        if (!(err instanceof OutputClosedError)) {
          failed = 1;
          printError(
            process,
            !!opts.json,
            cliError(Status.INTERNAL, `demo: ${err instanceof Error ? err.message : String(err)}`),
          );
        }
      } finally {
        await world.close();
      }
      setExit(failed ? ExitCode.DECLINED : ExitCode.OK);
    });
}
