/**
 * The band simulator's radio: stock noble core (`@abandonware/noble/with-bindings`) over
 * noble's websocket bindings, dialled at a configurable URL (see ws-bindings.ts for why
 * and how the stock bindings are re-wired). Nothing here touches the HCI bindings, so it
 * works on machines without Bluetooth.
 */
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { NobleCentral } from './noble-central.ts';
import type { Noble } from './noble-types.ts';
import type { BandTransport } from './types.ts';
import { websocketBindings } from './ws-bindings.ts';

const require = createRequire(import.meta.url);

/** Where stock noble's websocket bindings dial (0xB1E), on IPv4 loopback. */
export const DEFAULT_RADIO_URL = 'ws://127.0.0.1:2846';

export function createWebsocketTransport(url: string = DEFAULT_RADIO_URL): BandTransport {
  const faults = new EventEmitter();
  let close: () => void = () => undefined;
  return new NobleCentral({
    kind: 'websocket',
    description: `simulator at ${url}`,
    faults,
    offHint: 'nothing answers there (start the simulator with `wristpay sim start`, or choose another --radio)',
    open: async () => {
      const ws = websocketBindings(url);
      close = ws.close;
      ws.faults.on('fault', (...args: unknown[]) => faults.emit('fault', ...args));
      const withBindings = require('@abandonware/noble/with-bindings') as (bindings: unknown) => Noble;
      return withBindings(ws.bindings);
    },
    release: () => close(),
  });
}
