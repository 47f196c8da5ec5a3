#!/usr/bin/env node
// The `wristpay` command. The sources are TypeScript; tsx loads them in-process so that
// `npx wristpay` works right after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
const code = await main(process.argv);
process.exitCode = code;
