/**
 * `npm run engines`: the band's whole story on every engine the image claims that this machine
 * has (docs/FIRMWARE.md, "Running the image on every engine").
 *
 *   node --import tsx scripts/engines.ts [--payments N]
 *
 * QuickJS (npm) and Duktape (`duk`) always; Espruino and JerryScript when the environment
 * variables ESPRUINO and JERRY name their Linux binaries. Prints, per engine and HAL, the
 * story's steps passed, the time of a payment (whole, and the band's part) over N timed
 * payments (default 10), and the engine's memory figure. Exits 1 when any run fails.
 */
import { describeResult, runEngines } from '../harness/engines/run-engines.ts';
import { programEngines } from '../harness/engines/program-engines.ts';

async function main(argv: string[]): Promise<number> {
  const i = argv.indexOf('--payments');
  const payments = i === -1 ? 10 : Number(argv[i + 1]);
  if (!Number.isInteger(payments) || payments < 1) throw new Error('--payments needs a whole number above 0');
  const { found, missing } = programEngines();
  for (const m of missing) console.log(`skip ${m}`);
  const run = await runEngines(found, payments, (r) => console.log(describeResult(r)));
  console.log(`image ${run.imageBytes} bytes minified`);
  return run.results.every((r) => r.ok) ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
