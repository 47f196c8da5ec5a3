#!/usr/bin/env node
// The `wristpay` command: runs the compiled CLI in dist/lib/ (`npm run build` makes it;
// `npm ci` and `npm pack` run that build through the `prepare` script).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/lib/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(`wristpay: ${entry.pathname} is missing; run \`npm run build\` in the wristpay folder\n`);
  process.exit(3);
}
const { main } = await import(entry.href);
const code = await main(process.argv);
process.exitCode = code;
