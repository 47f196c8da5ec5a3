/**
 * `wristpay bridge …`: the merchant's and the owner's commands over a BLE bridge. A thin
 * shell over bridge/flows; only this shell (through `setExit`) turns outcomes into exit
 * codes: 0 ok, 1 declined, 2 usage, 3 unreachable. docs/BRIDGE.md walks through them.
 *
 * `io` is for tests and embedding (streams, a radio factory, fetch); the CLI passes none.
 */
import type { Command } from 'commander';
import { type CliIo, type SetExit, defaultIo } from './bridge-io.ts';
import { registerFind } from './find-command.ts';
import { registerRewards } from './rewards-command.ts';
import { registerIdentityCommands } from './identity-command.ts';
import { registerMerchant } from './merchant-commands.ts';
import { registerOwner } from './owner-commands.ts';
import { registerReports } from './report-commands.ts';
import { registerTerminals } from './terminal-commands.ts';
import { GROUP_SUMMARY } from './summaries.ts';

export function register(program: Command, setExit: SetExit, io: Partial<CliIo> = {}): Command {
  const full: CliIo = { ...defaultIo(), ...io };
  const group = program.command('bridge').description(GROUP_SUMMARY.bridge);
  registerMerchant(group, full, setExit);
  registerOwner(group, full, setExit);
  registerFind(group, full, setExit);
  registerRewards(group, full, setExit);
  registerIdentityCommands(group, full, setExit);
  registerTerminals(group, full, setExit);
  registerReports(group, full, setExit);
  return group;
}
