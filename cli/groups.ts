import { type Command, Option } from 'commander';
import { GROUP_SUMMARY } from './summaries.ts';

/** Sets the process exit code from inside an action (the shell applies it). */
export type SetExit = (code: number) => void;

type GroupName = keyof typeof GROUP_SUMMARY;
type Register = (program: Command, setExit: SetExit) => unknown;

interface Group {
  /** The group's command takes options of its own: help lists it as `name [options]`. */
  options: boolean;
  /** Imported only when the command line names the group: its imports are the heavy part. */
  load(): Promise<Register>;
}

/** Every command group, in the order `wristpay --help` lists them. Each file exports `register(program, setExit)`. */
const GROUPS: Record<GroupName, Group> = {
  sim: { options: false, load: async () => (await import('./sim-commands.ts')).register },
  checkout: { options: false, load: async () => (await import('./checkout-commands.ts')).register },
  demo: { options: true, load: async () => (await import('./demo-command.ts')).register },
  bridge: { options: false, load: async () => (await import('./bridge-commands.ts')).register },
  catalogue: { options: true, load: async () => (await import('./catalogue-command.ts')).register },
  doctor: { options: true, load: async () => (await import('./doctor-command.ts')).register },
};

const isGroup = (name: string | undefined): name is GroupName => name !== undefined && Object.hasOwn(GROUPS, name);

/** The group the command line names (`wristpay GROUP …` or `wristpay help GROUP`), if any. */
function namedGroup(argv: string[]): GroupName | undefined {
  const operands = argv.slice(2).filter((a) => !a.startsWith('-'));
  const name = operands[0] === 'help' ? operands[1] : operands[0];
  return isGroup(name) ? name : undefined;
}

/**
 * Registers the group the command line names, loading only its modules; otherwise (help,
 * --version, a typo) a light stand-in for every group, enough for commander to list them
 * and to suggest one for a typo, so that `wristpay --help` starts without loading SQLite,
 * QuickJS or noble.
 */
export async function registerGroups(program: Command, setExit: SetExit, argv: string[]): Promise<void> {
  const named = namedGroup(argv);
  if (named) {
    (await GROUPS[named].load())(program, setExit);
    return;
  }
  for (const [name, group] of Object.entries(GROUPS)) {
    const stub = program.command(name).description(GROUP_SUMMARY[name as GroupName]);
    // Commander prints "[options]" after a command that has any option, hidden ones too.
    if (group.options) stub.addOption(new Option('--options').hideHelp());
  }
}
