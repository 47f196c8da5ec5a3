import type { Command } from 'commander';
import { register as registerCheckout } from './checkout-commands.ts';
import { register as registerSim } from './sim-commands.ts';
import { register as registerDemo } from './demo-command.ts';
import { register as registerBridge } from './bridge-commands.ts';
import { register as registerCatalogue } from './catalogue-command.ts';

/** Sets the process exit code from inside an action (the shell applies it). */
export type SetExit = (code: number) => void;

/**
 * Registers every command group. Each group's file exports `register(program, setExit)`;
 * groups are added here as they land.
 */
export function registerGroups(program: Command, setExit: SetExit): void {
  registerSim(program, setExit);
  registerCheckout(program, setExit);
  registerDemo(program, setExit);
  registerBridge(program, setExit);
  registerCatalogue(program, setExit);
}
