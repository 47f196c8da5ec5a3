/**
 * Which reverse proxies the checkout believes (`checkout start --trust-proxy`), and what it
 * believes of them: the client's address (X-Forwarded-For) and whether the client spoke
 * HTTPS to the proxy (X-Forwarded-Proto). Without the flag nothing is trusted and both
 * headers are ignored: anyone can write them, and a believed X-Forwarded-For would let one
 * client take a fresh rate-limit bucket per request.
 *
 * Trust is by the address of the hop, never by a header's content: a hop is a proxy of ours
 * only if its address is in the list. The bare flag trusts loopback (a proxy on the same
 * host, the checkout's default bind); a list names addresses and CIDR blocks. There is no
 * "trust everyone": a list the checkout can reach through is the operator's to write.
 */
import ipaddr from 'ipaddr.js';

export type ProxyTrust = readonly [ipaddr.IPv4 | ipaddr.IPv6, number][];

/** No proxy trusted: the socket's peer is the client. */
export const NO_PROXY: ProxyTrust = [];
export const LOOPBACK_PROXY = 'loopback';

/**
 * `127.0.0.1,10.0.0.0/8,::1` (addresses and CIDRs, comma-separated) or `loopback`
 * (127.0.0.0/8 and ::1). Throws a message for the usage error on anything else.
 */
export function parseTrustProxy(spec: string): ProxyTrust {
  const items = spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (items.length === 0) throw new Error('--trust-proxy: name at least one address or CIDR, or "loopback"');
  return items.flatMap((item): ProxyTrust => {
    if (item === LOOPBACK_PROXY)
      return [ipaddr.parseCIDR('127.0.0.0/8'), ipaddr.parseCIDR('::1/128')] as [ipaddr.IPv4 | ipaddr.IPv6, number][];
    if (ipaddr.isValidCIDR(item)) return [normalised(ipaddr.parseCIDR(item))];
    if (ipaddr.isValid(item)) {
      const a = ipaddr.process(item);
      return [[a, a.kind() === 'ipv4' ? 32 : 128]];
    }
    throw new Error(`--trust-proxy: ${JSON.stringify(item)} is not an IP address, a CIDR block or "loopback"`);
  });
}

/** An IPv4-mapped CIDR (::ffff:10.0.0.0/104) as the IPv4 block it means: addresses are compared after ipaddr.process. */
function normalised([a, bits]: [ipaddr.IPv4 | ipaddr.IPv6, number]): [ipaddr.IPv4 | ipaddr.IPv6, number] {
  if (a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96)
    return [(a as ipaddr.IPv6).toIPv4Address(), bits - 96];
  return [a, bits];
}

export function isTrusted(trust: ProxyTrust, address: string | undefined): boolean {
  if (!address || !ipaddr.isValid(address)) return false;
  const a = ipaddr.process(address);
  return trust.some(([net, bits]) => net.kind() === a.kind() && a.match(net, bits));
}

export interface Peer {
  /** The client's address as seen by the nearest hop we do not trust (raw, not yet a rate-limit key). */
  address: string | undefined;
  /** The client reached us, or a trusted proxy, over TLS. */
  secure: boolean;
}

/**
 * The client behind a request. Only when the socket's peer is a trusted proxy are the
 * headers read, and X-Forwarded-For is walked from the right: each proxy appends the
 * address it was connected from, so the rightmost entries were written by our own proxies
 * and everything left of the first untrusted hop was written by the client (a client can
 * put any "address" it likes at the start of the header). The leftmost entry is therefore
 * the one value a client fully controls, and believing it would hand every request a fresh
 * rate-limit bucket. A malformed entry ends the walk at the last trusted hop.
 */
export function resolvePeer(
  socketAddress: string | undefined,
  tlsSocket: boolean,
  headers: Readonly<Record<string, string | string[] | undefined>>,
  trust: ProxyTrust,
): Peer {
  if (!isTrusted(trust, socketAddress)) return { address: socketAddress, secure: tlsSocket };
  const hops = joined(headers['x-forwarded-for'])
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  let address = socketAddress;
  for (let i = hops.length - 1; i >= 0; i--) {
    if (!ipaddr.isValid(hops[i])) break;
    address = hops[i];
    if (!isTrusted(trust, address)) break;
  }
  // The proto our own proxy saw: the rightmost value (nginx's `$scheme` replaces the header).
  const protos = joined(headers['x-forwarded-proto']).split(',');
  const proto = protos[protos.length - 1].trim().toLowerCase();
  return { address, secure: proto === '' ? tlsSocket : proto === 'https' };
}

/** A header sent more than once is one list (RFC 9110 §5.3). */
function joined(v: string | string[] | undefined): string {
  return Array.isArray(v) ? v.join(',') : (v ?? '');
}
