/**
 * What `wristpay doctor` asks the checkout: whether it answers (/healthz) and can do its
 * work (/readyz), and whether it still knows this bridge's terminal. That last one is a
 * signed request with no effect: the query of an order number no till ever used, which a
 * paired terminal gets NOT_FOUND for, and an unpaired or unknown one a refusal of its key.
 */
import { randomBytes } from 'node:crypto';
import { CheckoutHttpError } from '../../checkout/api/client.ts';
import { Status } from '../../shared/status/codes.ts';
import type { BridgeConfig } from '../../bridge/config/bridge-config.ts';
import { refusalOf } from '../../bridge/flows/outcome.ts';
import { terminalClient } from '../../bridge/flows/pair.ts';
import { hintFor } from '../hints.ts';
import { type Check, fail, ok, warn } from './check.ts';

/** How long one probe may take: a checkout that does not answer within it is as good as down. */
const PROBE_MS = 5000;

const START_IT =
  'is the checkout running (wristpay checkout start)? check the URL and port: --checkout or WRISTPAY_CHECKOUT';

async function probe(
  fetcher: typeof fetch,
  url: string,
): Promise<{ status: number; body: Record<string, unknown> } | { error: string }> {
  try {
    const res = await fetcher(url, { signal: AbortSignal.timeout(PROBE_MS) });
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    return { status: res.status, body };
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    return { error: cause?.code ?? cause?.message ?? (e as Error).message };
  }
}

/** GET /healthz then /readyz of the checkout `url` (none configured: a warning, owner commands then need --checkout). */
export async function checkoutCheck(url: string | undefined, fetcher: typeof fetch = fetch): Promise<Check> {
  if (url === undefined)
    return warn(
      'checkout',
      'no checkout configured',
      'pass --checkout URL, set WRISTPAY_CHECKOUT, or pair this bridge (wristpay bridge pair)',
    );
  const base = url.replace(/\/+$/, '');
  const health = await probe(fetcher, `${base}/healthz`);
  if ('error' in health)
    return fail('checkout', `cannot reach ${base}/healthz: ${health.error}`, START_IT, Status.UNREACHABLE);
  if (health.status !== 200)
    return fail(
      'checkout',
      `${base}/healthz answered HTTP ${health.status}`,
      `is ${base} a wristpay checkout? ${START_IT}`,
      Status.UNREACHABLE,
    );
  const ready = await probe(fetcher, `${base}/readyz`);
  if ('error' in ready)
    return fail('checkout', `cannot reach ${base}/readyz: ${ready.error}`, START_IT, Status.UNREACHABLE);
  if (ready.status !== 200)
    return fail(
      'checkout',
      `${base} is up but not ready: ${String(ready.body.reason ?? `HTTP ${ready.status}`)}`,
      "see the checkout's log (its stderr); it answers again once ready",
      Status.UNREACHABLE,
    );
  return ok('checkout', `${base} answers and is ready`);
}

/** The bridge's terminal, if it has one, is still paired with its checkout. */
export async function terminalCheck(config: BridgeConfig, fetcher: typeof fetch = fetch): Promise<Check> {
  const t = config.terminal;
  if (!t)
    return warn(
      'terminal',
      'this bridge is not paired with a checkout (owner commands work; charging does not)',
      'pair it: wristpay bridge pair --code CODE (a code from /merchant)',
    );
  const client = terminalClient(t, { fetch: fetcher });
  const who = `terminal "${t.name}" of ${t.merchantName} at ${t.checkoutUrl}`;
  try {
    await client.queryTrade(`doctor-${randomBytes(8).toString('hex')}`);
  } catch (e) {
    if (e instanceof CheckoutHttpError && e.status === Status.NOT_FOUND) return ok('terminal', `${who} is paired`);
    const r = refusalOf(e, 'checkout');
    return fail('terminal', `${who}: ${r.message}`, hintFor(r, 'terminal') ?? START_IT, r.status);
  }
  // No till made this order number: an answer would mean the checkout misread the request.
  return fail(
    'terminal',
    `${who}: the checkout answered a query for an order never made`,
    'report this as a bug',
    Status.INTERNAL,
  );
}
