/**
 * `wristpay --help` lists light stand-ins for the command groups (cli/groups.ts), so the
 * listing must read exactly as it would with every group loaded: same names, summaries,
 * order and `[options]` marks.
 */
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerGroups } from '../../cli/groups.ts';
import { GROUP_SUMMARY } from '../../cli/summaries.ts';

const argv = (...args: string[]) => ['node', 'wristpay', ...args];

describe('wristpay --help without loading the groups', () => {
  it('lists the groups as loading every one of them would', async () => {
    const light = new Command('wristpay');
    await registerGroups(light, () => undefined, argv('--help'));
    const loaded = new Command('wristpay');
    for (const name of Object.keys(GROUP_SUMMARY)) await registerGroups(loaded, () => undefined, argv(name));
    expect(loaded.commands.map((c) => c.name())).toEqual(Object.keys(GROUP_SUMMARY));
    expect(light.helpInformation()).toBe(loaded.helpInformation());
  });

  it('loads only the group the command line names', async () => {
    const program = new Command('wristpay');
    await registerGroups(program, () => undefined, argv('help', 'checkout'));
    expect(program.commands.map((c) => c.name())).toEqual(['checkout']);
    expect(program.commands[0].commands.length).toBeGreaterThan(0);
  });
});
