/**
 * `wristpay bridge terminals list|rename|unpair --user <merchant>`: a merchant manages
 * its terminals from the command line, logged in as the merchant account (password
 * typed without echo, or --password-stdin). Unpairing is permanent, so on a terminal it
 * asks for "yes" first; scripts (no terminal on stdin) must pass --yes.
 */
import type { Command } from 'commander';
import type { Api } from '../checkout/api/client.ts';
import { Status } from '../shared/status/codes.ts';
import { refusal } from '../bridge/flows/outcome.ts';
import { listTerminals, renameTerminal, unpairTerminal } from '../bridge/flows/terminals.ts';
import { type CliIo, Out, type SetExit } from './bridge-io.ts';
import { type OwnerLogin, type OwnerOptions, common, login, owner, readConfig } from './command-kit.ts';
import { ExitCode } from './exit-codes.ts';
import { readLineEcho } from './secret-input.ts';

interface UnpairOpts extends OwnerOptions {
  yes?: boolean;
}

function terminalLine(t: Api.TerminalView): string {
  const state = t.state === 'active' ? 'active' : `unpaired ${new Date(t.unpairedAt as number).toISOString()}`;
  return `  ${t.terminalId.padEnd(10)} ${t.name.padEnd(24)} paired ${new Date(t.createdAt).toISOString()}  ${state}`;
}

/** Runs `body` logged in as the merchant, and logs out whatever happened. */
export async function asMerchant(out: Out, o: OwnerOptions, body: (who: OwnerLogin) => Promise<void>): Promise<void> {
  const loaded = readConfig(out, o);
  if (!loaded) return;
  const who = await login(out, o, loaded.config);
  if (!who) return;
  try {
    await body(who);
  } finally {
    await who.logout();
  }
}

export function registerTerminals(group: Command, io: CliIo, setExit: SetExit): void {
  const terminals = group.command('terminals').description("Your merchant account's terminals: list, rename, unpair.");
  const merchant = (cmd: Command): Command =>
    owner(common(cmd)).addHelpText('after', '\n--user is the merchant account (as on /merchant).');

  merchant(terminals.command('list'))
    .description('List the terminals paired with your merchant account, active and unpaired.')
    .action(async (o: OwnerOptions) => {
      const out = new Out(io, o.json === true, setExit);
      await asMerchant(out, o, async (who) => {
        const r = await listTerminals(who.client);
        if (!r.ok) return out.refuse(r);
        out.success(
          { terminals: r.value },
          r.value.length ? r.value.map(terminalLine).join('\n') : 'No terminal is paired.',
        );
      });
    });

  merchant(terminals.command('rename'))
    .description('Rename a terminal (1 to 64 characters).')
    .argument('<terminalId>', 'the terminal (see terminals list)')
    .argument('<name>', 'its new name')
    .action(async (terminalId: string, name: string, o: OwnerOptions) => {
      const out = new Out(io, o.json === true, setExit);
      await asMerchant(out, o, async (who) => {
        const r = await renameTerminal(who.client, terminalId, name);
        if (!r.ok) return out.refuse(r);
        out.success({ terminal: r.value }, `Renamed:\n${terminalLine(r.value)}`);
      });
    });

  merchant(terminals.command('unpair'))
    .description('Unpair a terminal for good (a lost or stolen till): its every request is refused from now on.')
    .argument('<terminalId>', 'the terminal (see terminals list)')
    .option('--yes', 'do not ask for confirmation (needed when stdin is not a terminal)')
    .action(async (terminalId: string, o: UnpairOpts) => {
      const out = new Out(io, o.json === true, setExit);
      if (!o.yes && (!io.stdin.isTTY || o.passwordStdin))
        return out.usage('unpair is permanent: pass --yes to confirm when stdin is not a terminal');
      await asMerchant(out, o, async (who) => {
        if (!o.yes) {
          const list = await listTerminals(who.client);
          if (!list.ok) return out.refuse(list);
          const t = list.value.find((x) => x.terminalId === terminalId);
          if (!t)
            return out.refuse(refusal(Status.NOT_FOUND, 'checkout', `no terminal ${terminalId} for this merchant`));
          const answer = await readLineEcho(
            io.stdin,
            io.stderr,
            `Unpair terminal ${t.terminalId} ("${t.name}")? It can never take payments again; a new pairing makes a new terminal. Type yes: `,
          );
          if (answer.trim().toLowerCase() !== 'yes')
            return out.fail(ExitCode.DECLINED, Status.DECLINED_BY_USER, 'not unpaired: you did not type yes');
        }
        const r = await unpairTerminal(who.client, terminalId);
        if (!r.ok) return out.refuse(r);
        out.success(
          { terminal: r.value },
          `Unpaired: every request from terminal ${r.value.terminalId} ("${r.value.name}") is refused from now on.\n${terminalLine(r.value)}`,
        );
      });
    });
}
