/**
 * Who a request comes from, for per-client rate limits: the socket's peer address, or behind
 * a proxy named with --trust-proxy the address that proxy reports (proxy-trust.ts resolves
 * it, in server.ts, once per request). No proxy header is believed otherwise.
 *
 * IPv4 (also when it arrives IPv4-mapped on a dual-stack socket) is the address itself.
 * IPv6 is its /64: one subscriber is normally handed a whole /64 (RFC 6177 §2) and can
 * take a fresh address from it for every request, so the prefix is the client.
 */
import ipaddr from 'ipaddr.js';

/** The rate-limit key of a client address. */
export function clientAddress(raw: string | undefined): string {
  if (!raw || !ipaddr.isValid(raw)) return 'unknown';
  const addr = ipaddr.process(raw);
  if (addr.kind() === 'ipv4') return addr.toString();
  return `${ipaddr.IPv6.networkAddressFromCIDR(`${addr.toString()}/64`).toString()}/64`;
}
