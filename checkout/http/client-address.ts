/**
 * Who a request comes from, for per-client rate limits: the socket's peer address. No proxy
 * header is believed (X-Forwarded-For is anyone's to write); behind a reverse proxy every
 * client is the proxy until the checkout is told which proxies to trust.
 *
 * IPv4 (also when it arrives IPv4-mapped on a dual-stack socket) is the address itself.
 * IPv6 is its /64: one subscriber is normally handed a whole /64 (RFC 6177 §2) and can
 * take a fresh address from it for every request, so the prefix is the client.
 */
import type { IncomingMessage } from 'node:http';
import ipaddr from 'ipaddr.js';

export function clientAddress(req: IncomingMessage): string {
  const raw = req.socket.remoteAddress;
  if (!raw || !ipaddr.isValid(raw)) return 'unknown';
  const addr = ipaddr.process(raw);
  if (addr.kind() === 'ipv4') return addr.toString();
  return `${ipaddr.IPv6.networkAddressFromCIDR(`${addr.toString()}/64`).toString()}/64`;
}
