/**
 * The merchant's bridge commands: `pair` (once per till), `charge` (relay a payment to the
 * nearest band, with the payment-password fallback) and `refund`.
 */
import type { Command } from 'commander';
import { Status } from '../shared/status/codes.ts';
import { saveConfig } from '../bridge/config/bridge-config.ts';
import { type ChargeResult, charge } from '../bridge/flows/charge.ts';
import { type ChargeReceipt, paidCardText } from '../bridge/flows/receipt.ts';
import { payWithPassword, refund } from '../bridge/flows/merchant.ts';
import { type Outcome, refusal, refusalOf } from '../bridge/flows/outcome.ts';
import {
  type TerminalIdentity,
  pairAsMerchant,
  pairTerminal,
  parsePairingText,
  terminalClient,
} from '../bridge/flows/pair.ts';
import type { CheckoutClient } from '../checkout/api/client.ts';
import { amountProblem, currencyProblem, formatAmount, isOrderId, newOrderId, parseAmount } from './amount.ts';
import { type CliIo, Out, type SetExit } from './bridge-io.ts';
import { type CommonOptions, common, configPath, login, radio, readConfig, secret } from './command-kit.ts';
import { ExitCode } from './exit-codes.ts';
import { type RadioOptions, openBand } from './radio-session.ts';
import { readLineEcho } from './secret-input.ts';

interface PairOpts extends CommonOptions {
  checkout?: string;
  code?: string;
  user?: string;
  passwordStdin?: boolean;
  name?: string;
  force?: boolean;
}
interface ChargeOpts extends CommonOptions, RadioOptions {
  currency: string;
  order?: string;
  subject?: string;
  express?: boolean;
  payer?: string;
  passwordStdin?: boolean;
  passwordFallback: boolean;
}
/** Payment passwords typed at the till before the command gives up. */
const PAY_PASSWORD_TRIES = 3;

interface RefundOpts extends CommonOptions {
  requestNo?: string;
  reason?: string;
}

/** List amount, discount and what the card was charged, as a promotion changed them; points earned. */
function promotionLines(p: NonNullable<ChargeReceipt['promotion']>, currency: string): string[] {
  const lines = [
    `  list    ${formatAmount(p.listAmount, currency)}`,
    `  charged ${formatAmount(p.charged, currency)}${p.discount > 0 ? ` (${formatAmount(p.discount, currency)} off: ${p.label ?? 'promotion'})` : ''}`,
  ];
  return p.points > 0 ? [...lines, `  points  +${p.points}`] : lines;
}

export function receiptText(r: ChargeReceipt): string {
  return [
    `Paid ${formatAmount(r.amount, r.currency)} to ${r.merchantName}`,
    `  order   ${r.outTradeNo} (trade ${r.tradeNo})`,
    `  method  ${r.method}`,
    // The card the band showed at the tap (the wearer may have switched to it there).
    ...(r.card ? [`  card    ${paidCardText(r.card)}`] : []),
    ...(r.promotion ? promotionLines(r.promotion, r.currency) : []),
    `  at      ${new Date(r.paidAt).toISOString()}`,
    // The token is no secret once spent (its counter and the checkout's nonce bind it to this
    // trade): with the band's key it lets anyone check the band signed this payment.
    ...(r.evidence
      ? [
          `  proof   token signed by the band, counter ${r.evidence.counter}${r.evidence.confirmed ? ', button pressed' : ''} (--json: receipt.evidence, with the band's key)`,
        ]
      : []),
  ].join('\n');
}

/** The paired terminal from the config, or null (reported: exit 2, pair first). */
function paired(out: Out, opts: CommonOptions): TerminalIdentity | null {
  out.asker = 'terminal';
  const loaded = readConfig(out, opts);
  if (!loaded) return null;
  if (!loaded.config.terminal) {
    out.usage(
      `this bridge is not paired (no terminal in ${loaded.path})`,
      'pair it first: wristpay bridge pair --checkout URL --user MERCHANT (or --code CODE from /merchant)',
    );
    return null;
  }
  return loaded.config.terminal;
}

function client(io: CliIo, t: TerminalIdentity): CheckoutClient {
  return terminalClient(t, { provider: io.provider, fetch: io.fetch });
}

export function registerMerchant(group: Command, io: CliIo, setExit: SetExit): void {
  common(group.command('pair'))
    .description(
      'Pair this bridge with a merchant account as a terminal: sign in as the merchant (--user), or a code from /merchant (--code).',
    )
    .option('--code <code>', 'the one-time pairing code, or the QR text wristpay-pair:CODE@URL')
    .option('--user <merchant>', 'sign in as this merchant account and pair at once (no code needed)')
    .option('--password-stdin', "with --user: read the merchant's password from the first line of stdin")
    .option(
      '--checkout <url>',
      "checkout URL (not needed with the QR text; default with --user: $WRISTPAY_CHECKOUT, else the config's)",
    )
    .option('--name <name>', "the terminal's name on the dashboard", 'wristpay bridge')
    .option('--force', 'replace the terminal identity already stored in the config')
    .action(async (o: PairOpts) => {
      const out = new Out(io, o.json === true, setExit);
      const loaded = readConfig(out, o);
      if (!loaded) return;
      if (loaded.config.terminal && !o.force) {
        return out.usage(
          `already paired as ${loaded.config.terminal.terminalId} (${loaded.config.terminal.merchantName}); pass --force to replace it`,
        );
      }
      if ((o.code === undefined) === (o.user === undefined))
        return out.usage(
          'pair with either --user MERCHANT (sign in) or --code CODE (from /merchant), not both',
          'wristpay bridge pair --checkout URL --user MERCHANT',
        );
      const pairing = { name: o.name, provider: io.provider, fetch: io.fetch };
      let r: Outcome<TerminalIdentity>;
      if (o.user !== undefined) {
        const who = await login(out, o, loaded.config);
        if (!who) return;
        try {
          out.spinner.start(`Pairing with ${who.anon.baseUrl}…`);
          r = await pairAsMerchant(who.client, who.anon.baseUrl, pairing);
        } finally {
          out.spinner.stop();
          await who.logout();
        }
      } else {
        const code = o.code ?? '';
        const url = o.checkout ?? parsePairingText(code).url;
        if (!url)
          return out.usage('which checkout? pass --checkout URL (or the QR text wristpay-pair:CODE@URL as --code)');
        out.spinner.start(`Pairing with ${url}…`);
        r = await pairTerminal(url, code, pairing);
      }
      if (!r.ok) return out.refuse(r);
      const path = configPath(out, o);
      saveConfig(path, { ...loaded.config, version: 1, checkoutUrl: r.value.checkoutUrl, terminal: r.value });
      const { key: _secret, ...shown } = r.value;
      out.success(
        { ...shown, config: path },
        `Paired: terminal ${r.value.terminalId} of ${r.value.merchantName} at ${r.value.checkoutUrl}\n  identity stored in ${path} (mode 0600)`,
      );
    });

  radio(common(group.command('charge')))
    .description('Charge the nearest band: relay the payment and print the receipt.')
    .argument('<amount>', 'amount in major units, e.g. 12.34')
    .option('--currency <code>', 'ISO 4217 currency', 'CNY')
    .option('--order <id>', 'your order number (default: a fresh one); charging the same order again is idempotent')
    .option('--subject <text>', 'what is sold', 'wristpay')
    .option('--express', "a transit fare in express mode (the band's transit card; worn is enough)")
    .option('--payer <username>', "the payer's account for the password fallback (asked for if not given)")
    .option('--password-stdin', 'password fallback: read the payment password from stdin')
    .option('--no-password-fallback', 'never offer the payment password; exit 1 instead')
    .action(async (amountText: string, o: ChargeOpts) => {
      const out = new Out(io, o.json === true, setExit);
      const currency = o.currency.toUpperCase();
      const badCurrency = currencyProblem(currency);
      if (badCurrency) return out.invalid(badCurrency.message, badCurrency.hint);
      const amount = parseAmount(amountText, currency);
      if (amount === null)
        return out.usage(`not an amount in ${currency}: ${amountText}`, 'a positive amount in major units, e.g. 12.34');
      const tooMuch = amountProblem(amount, currency);
      if (tooMuch) return out.invalid(tooMuch.message, tooMuch.hint);
      const orderId = o.order ?? newOrderId();
      if (!isOrderId(orderId)) return out.usage(`--order must be 1-64 of A-Z a-z 0-9 _ . -, not ${orderId}`);
      const t = paired(out, o);
      if (!t) return;
      const terminal = client(io, t);
      const at = await openBand(out, o, false);
      if (!at) return;
      let result: ChargeResult;
      try {
        let prompted = false;
        out.spinner.start(`Charging ${formatAmount(amount, currency)}…`);
        result = await charge(
          terminal,
          at.session,
          { amount, currency, orderId, subject: o.subject, express: o.express },
          {
            merchantName: t.merchantName,
            onStep: (s) =>
              out.spinner.update(
                {
                  trade: 'Creating the trade…',
                  hello: 'Asking the band…',
                  challenge: 'Getting the payment challenge…',
                  band: 'Waiting for the band…',
                  answer: 'Confirming with the checkout…',
                }[s],
              ),
            onKeepalive: (k) => {
              // The switch window (docs/FIRMWARE.md, "The card at the tap"): the band shows the card that will pay.
              if (k.status === Status.PROCESSING && !prompted)
                return out.spinner.update('The band shows the card; a press there switches to the next…');
              if (prompted || k.status !== Status.CONFIRMATION_REQUIRED) return;
              prompted = true;
              out.spinner.stop();
              out.info(
                `Above the password-free limit: press the button on the band to pay ${formatAmount(amount, currency)} (${Math.round(k.remainingMs / 1000)} s).`,
              );
              out.spinner.start('Waiting for the button…');
            },
          },
        );
      } finally {
        out.spinner.stop();
        await at.close();
      }
      if (result.ok && result.alreadyPaid)
        return out.success(
          { outcome: 'paid', alreadyPaid: true, receipt: result.receipt },
          `Already paid: order ${orderId} was paid before; nothing was charged now.\n${receiptText(result.receipt)}`,
        );
      if (result.ok) return out.success({ outcome: 'paid', receipt: result.receipt }, receiptText(result.receipt));
      if (result.outcome === 'declined')
        return out.refuse(result.refusal, { outcome: 'declined', outTradeNo: result.outTradeNo });
      const need = {
        outcome: 'password-needed',
        outTradeNo: result.outTradeNo,
        reason: { status: result.reason.status, name: result.reason.name, message: result.reason.message },
      };
      if (!o.passwordFallback)
        return out.refuse(
          refusal(
            Status.PASSWORD_REQUIRED,
            'band',
            `the band cannot pay (${result.reason.name}: ${result.reason.message})`,
          ),
          need,
        );
      out.info(
        `The band cannot pay (${result.reason.name}: ${result.reason.message}); paying with the payment password instead.`,
      );
      const payer = o.payer ?? (io.stdin.isTTY && !o.passwordStdin ? await askLine(out, 'Payer username: ') : null);
      if (!payer)
        return out.fail(ExitCode.DECLINED, Status.PASSWORD_REQUIRED, 'the band cannot pay and no payer is known', {
          hint: 'pass --payer USER (and --password-stdin when not at a terminal)',
          extra: need,
        });
      // A mistyped password at the till is asked again (3 tries, like a card terminal); the
      // checkout still counts each wrong one (PAY_PASSWORD_BLOCKED after its limit). A script's
      // --password-stdin is never asked again.
      const tries = o.passwordStdin ? 1 : PAY_PASSWORD_TRIES;
      for (let left = tries - 1; ; left--) {
        const pin = await secret(out, o.passwordStdin, `Payment password for ${payer}: `, ExitCode.DECLINED);
        if (pin === null) return;
        const paid = await payWithPassword(terminal, result.outTradeNo, payer, pin);
        if (paid.ok)
          return out.success(
            { outcome: 'paid', receipt: paid.value, fallback: result.reason.name },
            receiptText(paid.value),
          );
        if (paid.status !== Status.UNAUTHORIZED || left === 0)
          return out.refuse(paid, { outcome: 'declined', outTradeNo: result.outTradeNo });
        // Beside the prompts (stderr), with --json too: a person is typing.
        io.stderr.write(`Wrong payer or payment password; try again (${left} ${left === 1 ? 'try' : 'tries'} left).\n`);
      }
    });

  common(group.command('refund'))
    .description('Refund a paid order, in full or in part.')
    .argument('<order>', 'the order number that was charged')
    .argument('[amount]', 'amount in major units (default: all that is not refunded yet)')
    .option('--request-no <id>', 'refund request number (default: a fresh one); repeating one is idempotent')
    .option('--reason <text>', "shown on the payer's ledger")
    .action(async (order: string, amountText: string | undefined, o: RefundOpts) => {
      const out = new Out(io, o.json === true, setExit);
      if (!isOrderId(order)) return out.usage(`not an order number: ${order}`);
      if (o.requestNo !== undefined && !isOrderId(o.requestNo))
        return out.usage(`--request-no must be 1-64 of A-Z a-z 0-9 _ . -, not ${o.requestNo}`);
      if (
        amountText !== undefined &&
        parseAmount(amountText, 'CNY') === null &&
        parseAmount(amountText, 'JPY') === null
      )
        return out.usage(`not an amount: ${amountText}`);
      const t = paired(out, o);
      if (!t) return;
      const terminal = client(io, t);
      let amount: number | undefined;
      if (amountText !== undefined) {
        // The trade's currency decides what "12.34" means.
        let currency: string;
        try {
          currency = (await terminal.queryTrade(order)).trade.currency;
        } catch (e) {
          return out.refuse(refusalOf(e, 'checkout'));
        }
        const parsed = parseAmount(amountText, currency);
        if (parsed === null) return out.usage(`not an amount in ${currency}: ${amountText}`);
        amount = parsed;
      }
      const r = await refund(terminal, order, { amount, outRequestNo: o.requestNo, reason: o.reason });
      if (!r.ok) return out.refuse(r);
      const v = r.value;
      out.success(
        { refund: v },
        `Refunded ${formatAmount(v.amount, v.currency)} of order ${v.outTradeNo}${v.created ? '' : ' (already done: same request number)'}\n  refunded so far ${formatAmount(v.refundedAmount, v.currency)}; trade ${v.tradeStatus}`,
      );
    });
}

async function askLine(out: Out, prompt: string): Promise<string | null> {
  const v = (await readLineEcho(out.io.stdin, out.io.stderr, prompt)).trim();
  return v === '' ? null : v;
}
