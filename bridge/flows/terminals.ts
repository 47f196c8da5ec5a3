/**
 * The merchant's terminals, from a merchant session: list them (active and unpaired),
 * rename one, unpair one for good (a stolen till then signs nothing the checkout accepts).
 */
import type { Api, CheckoutClient } from '../../checkout/api/client.ts';
import { type Outcome, attempt } from './outcome.ts';

export function listTerminals(merchant: CheckoutClient): Promise<Outcome<Api.TerminalView[]>> {
  return attempt('checkout', () => merchant.terminals());
}

export function renameTerminal(
  merchant: CheckoutClient,
  terminalId: string,
  name: string,
): Promise<Outcome<Api.TerminalView>> {
  return attempt('checkout', () => merchant.renameTerminal(terminalId, name));
}

export function unpairTerminal(merchant: CheckoutClient, terminalId: string): Promise<Outcome<Api.TerminalView>> {
  return attempt('checkout', () => merchant.unpairTerminal(terminalId));
}
