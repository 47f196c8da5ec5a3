/**
 * Tools for attacking the checkout as a stranger would: many requests at once over real
 * HTTP, and an independent count of the password hashes the checkout really computed.
 */
import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { CheckoutHttpError } from '../../../checkout/api/client.ts';

/**
 * Counts calls of node:crypto's scrypt (every password hash, core/passwords.ts) until
 * `restore()`. syncBuiltinESMExports makes `import { scrypt } from 'node:crypto'` see the
 * wrapper, so this measures the checkout's work directly, not through its own counters.
 */
export function countHashes(): { readonly count: number; restore(): void } {
  const original = crypto.scrypt;
  let count = 0;
  crypto.scrypt = ((...args: Parameters<typeof crypto.scrypt>) => {
    count += 1;
    return (original as (...a: unknown[]) => void)(...args);
  }) as typeof crypto.scrypt;
  syncBuiltinESMExports();
  return {
    get count() {
      return count;
    },
    restore() {
      crypto.scrypt = original;
      syncBuiltinESMExports();
    },
  };
}

/** The outcome of a request as a status name ('OK' when it succeeded). */
export function outcome(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => 'OK',
    (e) => (e instanceof CheckoutHttpError ? e.statusName : `THREW ${String(e)}`),
  );
}

export function tally(names: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of names) out[n] = (out[n] ?? 0) + 1;
  return out;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A browser's POST /login: the status, the cookies set (name → value) and Retry-After. */
export async function webLogin(
  baseUrl: string,
  username: string,
  password: string,
  cookie?: string,
): Promise<{ status: number; cookies: Record<string, string>; retryAfter: string | null }> {
  const res = await fetch(`${baseUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      origin: baseUrl,
      'sec-fetch-site': 'same-origin',
      ...(cookie ? { cookie } : {}),
    },
    body: new URLSearchParams({ username, password }).toString(),
  });
  await res.text();
  const cookies: Record<string, string> = {};
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(';');
    const i = pair.indexOf('=');
    cookies[pair.slice(0, i)] = pair.slice(i + 1);
  }
  return { status: res.status, cookies, retryAfter: res.headers.get('retry-after') };
}

/** A raw JSON POST, for the headers the typed client does not show. */
export async function postJson(
  url: string,
  body: unknown,
): Promise<{ status: number; json: { error?: { name: string } }; retryAfter: string | null }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    json: (await res.json()) as { error?: { name: string } },
    retryAfter: res.headers.get('retry-after'),
  };
}

/** Waits until `cond` holds (polling), or fails after `ms`. */
export async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}
