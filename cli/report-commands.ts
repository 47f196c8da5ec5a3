/**
 * `wristpay bridge sales` and `wristpay bridge refunds --user <merchant>`: the merchant's
 * own sales and refunds, logged in as on /merchant (password typed without echo, or
 * --password-stdin). `--json` for scripts, `--csv` for spreadsheets (the same quoting and
 * formula neutralising as the page's export, checkout/report-csv.ts).
 */
import type { Command } from 'commander';
import type { Api, CheckoutClient } from '../checkout/api/client.ts';
import { refundsCsv, salesCsv } from '../checkout/report-csv.ts';
import type { Outcome } from '../bridge/flows/outcome.ts';
import { type Listed, type ReportRange, listRefunds, listSales } from '../bridge/flows/reports.ts';
import { formatAmount } from './amount.ts';
import { type CliIo, Out, type SetExit } from './bridge-io.ts';
import { type OwnerOptions, common, owner } from './command-kit.ts';
import { ExitCode } from './exit-codes.ts';
import { asMerchant } from './terminal-commands.ts';

interface ReportOpts extends OwnerOptions {
  from?: string;
  to?: string;
  limit?: string;
  csv?: boolean;
}

/** Rows one command prints at most; the checkout pages them 500 at a time. */
const MAX_ROWS = 10_000;
const DEFAULT_ROWS = 100;

const stamp = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

function saleLine(s: Api.SaleView): string {
  const refunded = s.refundedAmount ? `  refunded ${formatAmount(s.refundedAmount, s.currency)}` : '';
  return `  ${stamp(s.paidAt)}  ${s.outTradeNo.padEnd(20)} ${formatAmount(s.amount, s.currency).padStart(14)}  ${s.terminalName}  ${JSON.stringify(s.subject)}${refunded}`;
}

function refundLine(r: Api.MerchantRefundView): string {
  return `  ${stamp(r.createdAt)}  ${r.outTradeNo.padEnd(20)} ${r.outRequestNo.padEnd(20)} ${formatAmount(r.amount, r.currency).padStart(14)}  ${JSON.stringify(r.reason)}`;
}

/** Sums per currency: "42.00 CNY, 3.00 USD". */
function total(items: Array<{ amount: number; currency: string }>): string {
  const by = new Map<string, number>();
  for (const i of items) by.set(i.currency, (by.get(i.currency) ?? 0) + i.amount);
  return [...by].map(([c, n]) => formatAmount(n, c)).join(', ');
}

function rowLimit(out: Out, text: string | undefined): number | null {
  if (text === undefined) return DEFAULT_ROWS;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > MAX_ROWS) {
    out.usage(`--limit: 1 to ${MAX_ROWS}`);
    return null;
  }
  return n;
}

function report(cmd: Command, what: string): Command {
  return owner(common(cmd))
    .option('--from <day>', 'first day, YYYY-MM-DD (default: 30 days before --to)')
    .option('--to <day>', "last day, YYYY-MM-DD (default: today, in the checkout's time zone)")
    .option('--limit <n>', `at most this many ${what}, newest first (default ${DEFAULT_ROWS}, up to ${MAX_ROWS})`)
    .option('--csv', `print the ${what} as CSV (RFC 4180; cells that start like a formula get a leading ')`)
    .addHelpText('after', '\n--user is the merchant account (as on /merchant).');
}

export function registerReports(group: Command, io: CliIo, setExit: SetExit): void {
  /** Runs one list: login, pages, then CSV, JSON or lines. */
  const run = async <T>(
    o: ReportOpts,
    list: (c: CheckoutClient, range: ReportRange, max: number) => Promise<Outcome<Listed<T>>>,
    show: {
      key: string;
      csv: (items: T[]) => string;
      line: (item: T) => string;
      none: string;
      noun: string;
    },
  ): Promise<void> => {
    const out = new Out(io, o.json === true, setExit);
    if (o.csv && o.json) return out.usage('--csv and --json: choose one');
    const max = rowLimit(out, o.limit);
    if (max === null) return;
    await asMerchant(out, o, async (who) => {
      const r = await list(who.client, { from: o.from, to: o.to }, max);
      if (!r.ok) return out.refuse(r);
      const { from, to, items, more } = r.value;
      if (o.csv) {
        io.stdout.write(show.csv(items));
        if (more)
          io.stderr.write(
            `wristpay: only the newest ${items.length} ${show.noun}; raise --limit or narrow --from/--to for the rest\n`,
          );
        setExit(ExitCode.OK);
        return;
      }
      const head = `${show.noun[0].toUpperCase()}${show.noun.slice(1)} from ${stamp(from)} to ${stamp(to)} UTC: ${items.length}${more ? '+' : ''}`;
      const sum = items.length ? `\n  total ${total(items as Array<{ amount: number; currency: string }>)}` : '';
      const rest = more ? `\n(only the newest ${items.length}; raise --limit or narrow --from/--to for the rest)` : '';
      out.success(
        { from, to, [show.key]: items, more },
        items.length ? `${head}\n${items.map(show.line).join('\n')}${sum}${rest}` : `${head}\n${show.none}`,
      );
    });
  };

  report(group.command('sales'), 'sales')
    .description("List your merchant account's sales (paid orders) in a range of days.")
    .action((o: ReportOpts) =>
      run<Api.SaleView>(o, listSales, {
        key: 'sales',
        csv: salesCsv,
        line: saleLine,
        none: 'No sales in this range.',
        noun: 'sales',
      }),
    );

  report(group.command('refunds'), 'refunds')
    .description("List the refunds of your merchant account's orders in a range of days.")
    .action((o: ReportOpts) =>
      run<Api.MerchantRefundView>(o, listRefunds, {
        key: 'refunds',
        csv: refundsCsv,
        line: refundLine,
        none: 'No refunds in this range.',
        noun: 'refunds',
      }),
    );
}
