/**
 * Where a merchant notification may go (issue 11, finding 7: SSRF). A terminal names the
 * notifyUrl, so without a check the checkout would POST wherever a till points it: its own
 * loopback services, the cloud metadata endpoint (169.254.169.254), the private network.
 * OWASP SSRF Prevention Cheat Sheet, "Case 2: application can send requests to ANY
 * external IP address or domain name": http(s) only, resolve the name, require every
 * address to be public, connect to the address that was checked, follow no redirects.
 *
 * Checked when the trade is created (a clear refusal, nothing written) and again before
 * every delivery: a name can resolve differently later (DNS rebinding), and the delivery
 * connects to the address this check returned (`pinnedLookup`), not to a second lookup.
 *
 * "Public" is ipaddr.js's `unicast`: every special range (loopback, private, link-local,
 * carrier-grade NAT, unique-local, multicast, broadcast, unspecified, reserved and
 * documentation blocks, 6to4/Teredo/NAT64 that can embed any IPv4 address) is refused;
 * IPv4-mapped IPv6 (::ffff:127.0.0.1) is judged as the IPv4 address it maps.
 * `config.notify.allowHosts` lets an operator name exceptions for local development.
 */
import { lookup } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

export const MAX_NOTIFY_URL = 512;

export interface NotifyTarget {
  url: URL;
  address: string;
  family: 4 | 6;
}
export type TargetCheck = { ok: true; target: NotifyTarget } | { ok: false; malformed: boolean; why: string };

const refused = (why: string): TargetCheck => ({ ok: false, malformed: false, why });
const malformed = (why: string): TargetCheck => ({ ok: false, malformed: true, why });

/** Parses, resolves and vets a notifyUrl; the address to connect to, or why not. */
export async function checkNotifyTarget(raw: string, allowHosts: readonly string[]): Promise<TargetCheck> {
  if (raw.length > MAX_NOTIFY_URL) return malformed(`notifyUrl: at most ${MAX_NOTIFY_URL} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return malformed('notifyUrl: not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return malformed('notifyUrl: http or https only');
  if (url.username !== '' || url.password !== '') return malformed('notifyUrl: no user name or password in the URL');
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port !== '' ? url.port : url.protocol === 'https:' ? '443' : '80';
  const hostAllowed = allowHosts.includes(`${url.hostname}:${port}`);
  let addresses: LookupAddress[];
  if (ipaddr.isValid(host)) {
    addresses = [{ address: host, family: host.includes(':') ? 6 : 4 }];
  } else {
    try {
      addresses = await lookup(host, { all: true, verbatim: true });
    } catch {
      return refused(`notifyUrl: ${host} does not resolve`);
    }
    if (addresses.length === 0) return refused(`notifyUrl: ${host} does not resolve`);
  }
  for (const a of addresses) {
    const kind = rangeOf(a.address);
    if (kind !== 'unicast' && !hostAllowed && !inAllowedCidr(a.address, allowHosts)) {
      return refused(
        `notifyUrl: ${host} is (or resolves to) a ${kind} address (${a.address}); notifications go to public addresses only`,
      );
    }
  }
  const first = addresses[0];
  return { ok: true, target: { url, address: first.address, family: first.family === 6 ? 6 : 4 } };
}

function rangeOf(address: string): string {
  try {
    return ipaddr.process(address).range(); // process(): an IPv4-mapped IPv6 address becomes its IPv4 address
  } catch {
    return 'unparseable';
  }
}

function inAllowedCidr(address: string, allowHosts: readonly string[]): boolean {
  const ip = ipaddr.process(address);
  for (const entry of allowHosts) {
    if (!entry.includes('/')) continue;
    try {
      const [net, bits] = ipaddr.parseCIDR(entry);
      if (net.kind() === ip.kind() && ip.match([net, bits])) return true;
    } catch {
      // not a CIDR: a "host:port" entry
    }
  }
  return false;
}

/**
 * A `lookup` for http(s).request that answers with the checked address only, so the
 * connection goes where the check looked (no second resolution to rebind). Node calls it
 * with `all: true` when it races address families (autoSelectFamily), else for one address.
 */
export function pinnedLookup(target: NotifyTarget): LookupFunction {
  return (_host, options, callback) => {
    if (options.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
}
