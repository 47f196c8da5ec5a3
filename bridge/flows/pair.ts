/**
 * Pairing a merchant's terminal (this bridge) with the checkout: a fresh ES256 key made
 * here, its public half sent with the one-time code from the merchant dashboard (or one
 * asked for from a merchant session, pairAsMerchant); the private scalar stays in the
 * bridge's config file (bridge/config/) and signs every trade request from then on.
 */
import { defaultProvider } from '../../shared/crypto/default-provider.ts';
import type { HostCryptoProvider } from '../../shared/crypto/host-provider.ts';
import { Status } from '../../shared/status/codes.ts';
import { CheckoutClient, TerminalSigner, createTerminalKey } from '../../checkout/api/client.ts';
import { type Outcome, attempt, ok, refusal } from './outcome.ts';

/** What a paired terminal keeps. `key` is the private scalar (base64url): a secret. */
export interface TerminalIdentity {
  checkoutUrl: string;
  terminalId: string;
  merchantId: string;
  merchantName: string;
  name: string;
  key: string;
  pairedAt: number;
}

export interface PairOptions {
  /** The terminal's name on the merchant dashboard. */
  name?: string;
  provider?: HostCryptoProvider;
  fetch?: typeof fetch;
}

/** `wristpay-pair:<code>@<url>` (the dashboard's QR text) or a bare code. */
export function parsePairingText(text: string): { code: string; url?: string } {
  const m = /^wristpay-pair:([^@\s]+)@(\S+)$/.exec(text.trim());
  return m ? { code: m[1], url: m[2] } : { code: text.trim() };
}

export async function pairTerminal(
  url: string,
  code: string,
  opts: PairOptions = {},
): Promise<Outcome<TerminalIdentity>> {
  const parsed = parsePairingText(code);
  const checkoutUrl = (parsed.url ?? url).replace(/\/+$/, '');
  if (!/^https?:\/\/\S+$/.test(checkoutUrl))
    return refusal(Status.MALFORMED, 'input', `not a checkout URL: ${checkoutUrl}`);
  const provider = opts.provider ?? defaultProvider();
  const key = createTerminalKey(provider);
  const client = new CheckoutClient(checkoutUrl, { fetch: opts.fetch });
  const t = await attempt('checkout', () =>
    client.pairTerminal(parsed.code.toUpperCase(), key.publicKey, opts.name ?? 'wristpay bridge'),
  );
  if (!t.ok) return t;
  return ok({
    checkoutUrl,
    terminalId: t.value.terminalId,
    merchantId: t.value.merchantId,
    merchantName: t.value.merchantName,
    name: t.value.name,
    key: Buffer.from(key.scalar).toString('base64url'),
    pairedAt: t.value.createdAt,
  });
}

/**
 * Pairing in one go from a merchant session (the CLI's `pair --user`): a fresh one-time
 * code from the merchant account, spent at once by this bridge's new key.
 */
export async function pairAsMerchant(
  merchant: CheckoutClient,
  url: string,
  opts: PairOptions = {},
): Promise<Outcome<TerminalIdentity>> {
  const code = await attempt('checkout', () => merchant.createPairingCode());
  if (!code.ok) return code;
  return pairTerminal(url, code.value.code, opts);
}

/** A client that signs as the paired terminal. */
export function terminalClient(
  identity: TerminalIdentity,
  opts: { provider?: HostCryptoProvider; fetch?: typeof fetch; clock?: () => number } = {},
): CheckoutClient {
  const scalar = new Uint8Array(Buffer.from(identity.key, 'base64url'));
  const signer = new TerminalSigner(opts.provider ?? defaultProvider(), identity.terminalId, scalar, opts.clock);
  return new CheckoutClient(identity.checkoutUrl, { fetch: opts.fetch }).withTerminal(signer);
}
