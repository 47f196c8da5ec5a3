/**
 * What every flow returns: a value, or a refusal with a status code, the stage it came
 * from and a sentence — never an exception for anything the band, the radio or the
 * checkout did. The CLI turns `kind` into an exit code; the demo prints `name` and
 * `message`. Refusals never carry secrets (passwords, keys, tokens).
 */
import { Status, type StatusCode, statusName } from '../../shared/status/codes.ts';
import { WristpayError } from '../../shared/status/error.ts';
import { CheckoutHttpError, CheckoutUnreachableError } from '../../checkout/api/client.ts';
import { BandRefusal } from '../relay/refusal.ts';

/** Where a refusal came from. */
export type Stage = 'radio' | 'band' | 'checkout' | 'input';

/** How a caller should treat it: a decision (declined), or a party that could not be reached. */
export type RefusalKind = 'declined' | 'unreachable';

export interface Refusal {
  ok: false;
  status: StatusCode | number;
  name: string;
  message: string;
  stage: Stage;
  kind: RefusalKind;
  /** What to do about it, for people (e.g. "wait 30 s"); never a secret. */
  hint?: string;
  /** Set when the checkout answered REVOKED and the bridge delivered the queued wipe to the band. */
  wipe?: WipeReport;
  /** Set when the checkout answered FIND_REQUESTED (its owner is looking for it) and the bridge had the band ring. */
  ring?: WipeReport;
}

export interface WipeReport {
  delivered: boolean;
  /** When not delivered: why. */
  refusal?: Omit<Refusal, 'wipe' | 'ring'>;
}

export type Outcome<T> = { ok: true; value: T } | Refusal;

export function ok<T>(value: T): Outcome<T> {
  return { ok: true, value };
}

const UNREACHABLE_CODES: number[] = [Status.UNREACHABLE, Status.TIMEOUT, Status.REASSEMBLY_TIMEOUT];

export function refusal(status: number, stage: Stage, message: string): Refusal {
  return {
    ok: false,
    status,
    name: statusName(status) ?? 'UNKNOWN',
    message,
    stage,
    kind: UNREACHABLE_CODES.includes(status) ? 'unreachable' : 'declined',
  };
}

/** True for what `fetch` throws when the server cannot be reached (refused, reset, DNS). */
function isNetworkError(e: unknown): boolean {
  return (
    e instanceof TypeError &&
    /fetch failed|network|ECONN|ENOTFOUND|socket/i.test(
      `${e.message} ${String((e as { cause?: unknown }).cause ?? '')}`,
    )
  );
}

/** The way Node tools (npm, node itself) are told about a private CA: curl's --cacert, for every wristpay command. */
const UNTRUSTED_CERT_HINT =
  'a private CA or a self-signed checkout: NODE_EXTRA_CA_CERTS=FILE (the PEM certificate to trust) before the command';

/** Why a checkout could not be reached, from the network error's code, and what to check. */
function unreachable(e: CheckoutUnreachableError): Refusal {
  const origin = new URL(e.url).origin;
  const why: Record<string, [string, string]> = {
    ECONNREFUSED: [
      'nothing is listening there',
      `is the checkout started (wristpay checkout start) and on that port? pass --checkout URL or set WRISTPAY_CHECKOUT`,
    ],
    ENOTFOUND: [
      'no such host',
      'check the host name in the checkout URL (--checkout, WRISTPAY_CHECKOUT or the config)',
    ],
    EAI_AGAIN: ['the host name could not be looked up', 'check the network and the host name in the checkout URL'],
    ECONNRESET: ['the connection was reset', 'is it a wristpay checkout at that address? try again'],
    ETIMEDOUT: ['it did not answer in time', 'is the host up and the port open? try again'],
    UND_ERR_CONNECT_TIMEOUT: ['it did not answer in time', 'is the host up and the port open? try again'],
    REQUEST_TIMEOUT: [
      'it took the request but did not answer in time',
      "try again; if it keeps happening, see the checkout's log (an order charged again is not charged twice)",
    ],
    // HTTPS: Node trusts its bundled CAs plus NODE_EXTRA_CA_CERTS; verification is never turned off.
    DEPTH_ZERO_SELF_SIGNED_CERT: ['its certificate is self-signed', UNTRUSTED_CERT_HINT],
    SELF_SIGNED_CERT_IN_CHAIN: ['its certificate chain ends in a CA this machine does not trust', UNTRUSTED_CERT_HINT],
    UNABLE_TO_GET_ISSUER_CERT_LOCALLY: [
      'its certificate is from a CA this machine does not trust',
      UNTRUSTED_CERT_HINT,
    ],
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: ['its certificate chain is incomplete or untrusted', UNTRUSTED_CERT_HINT],
    CERT_HAS_EXPIRED: ['its certificate has expired', 'the checkout operator must renew the certificate'],
    ERR_TLS_CERT_ALTNAME_INVALID: [
      'its certificate is for another name',
      'use the host name the certificate was issued for in the checkout URL',
    ],
    EPROTO: ['it does not speak HTTPS there', 'is the checkout serving plain HTTP? use http:// in the checkout URL'],
  };
  // fetch refuses some ports outright (Fetch standard, "bad port": 9, 25, 6000, …).
  if (e.reason === 'bad port')
    return {
      ...refusal(
        Status.UNREACHABLE,
        'checkout',
        `cannot reach the checkout at ${origin}: fetch refuses that port ("bad port")`,
      ),
      hint: 'run the checkout on another port (wristpay checkout start --port N)',
    };
  const [cause, hint] = (e.code && why[e.code]) || [
    e.reason ?? 'network error',
    'is the checkout started and the URL right?',
  ];
  return {
    ...refusal(
      Status.UNREACHABLE,
      'checkout',
      `cannot reach the checkout at ${origin}: ${cause}${e.code ? ` (${e.code})` : ''}`,
    ),
    hint,
  };
}

/**
 * Maps anything a flow step threw to a refusal: the checkout's refusals keep their
 * status; band and radio refusals theirs; a checkout that cannot be reached is UNREACHABLE.
 * Anything else (a checkout sending garbage, a bug) is INTERNAL, with its message.
 */
export function refusalOf(e: unknown, stage: Stage): Refusal {
  if (e instanceof CheckoutHttpError) {
    // The client prefixes the status name; the refusal carries the name separately.
    const message = e.message.startsWith(`${e.statusName}: `) ? e.message.slice(e.statusName.length + 2) : e.message;
    // A 5xx or a non-JSON answer: the checkout is there but not serving; treat as unreachable.
    if (e.httpStatus >= 500) return { ...refusal(e.status, 'checkout', message), kind: 'unreachable' };
    const r = refusal(e.status, 'checkout', message);
    // RFC 9110 §10.2.3: Retry-After in seconds.
    if (e.retryAfterSeconds !== undefined) r.hint = `wait ${e.retryAfterSeconds} s and try again`;
    return r;
  }
  if (e instanceof BandRefusal) return refusal(e.status, e.origin === 'band' ? 'band' : 'radio', e.message);
  if (e instanceof WristpayError) return refusal(e.status, stage, e.message);
  if (e instanceof CheckoutUnreachableError) return unreachable(e);
  if (isNetworkError(e))
    return refusal(Status.UNREACHABLE, 'checkout', `the checkout cannot be reached: ${(e as Error).message}`);
  return refusal(Status.INTERNAL, stage, e instanceof Error ? e.message : String(e));
}

/** Runs `step`, turning its failure into a refusal for `stage`. */
export async function attempt<T>(stage: Stage, step: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return ok(await step());
  } catch (e) {
    return refusalOf(e, stage);
  }
}
