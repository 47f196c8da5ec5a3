/**
 * How a Node program (the bridge, tests, the demo) talks to the simulator with stock
 * noble: `@abandonware/noble/with-bindings` plus noble's own websocket bindings. (Never
 * `require('@abandonware/noble')`: its default bindings throw without a Bluetooth adapter.)
 *
 * Stock noble's websocket bindings always dial ws://localhost:2846 (port 0xB1E; no host,
 * port or environment variable is read), so on the default port this is plain
 *
 *   const require = createRequire(import.meta.url);
 *   const Bindings = require('@abandonware/noble/lib/websocket/bindings');
 *   const noble = require('@abandonware/noble/with-bindings')(new Bindings());
 *
 * For another port (several simulators, tests on ephemeral ports) `simulatorBindings(port)`
 * makes an object of the same stock prototype whose socket dials that port instead.
 *
 * Two frame types are the simulator's own; stock noble ignores them, `attachSimulatorExtras`
 * forwards them: `{type:'mtu'}` (noble's websocket bindings never learn an MTU; this sets
 * peripheral.mtu from the simulator's link model) and `{type:'error'}` (a refused frame:
 * emitted on noble as 'simulatorError' with { code, message, action, peripheralUuid }).
 */
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { Peripheral } from '@abandonware/noble';
import WebSocket from 'ws';
import { DEFAULT_RADIO_PORT } from '../../../sim/band/state-dir.ts';

const require = createRequire(import.meta.url);

/** The parts of noble's websocket bindings object used here. */
export interface NobleWsBindings extends EventEmitter {
  _ws: WebSocket;
  _startScanCommand: unknown;
  _peripherals: Record<string, unknown>;
  _onMessage(event: unknown): void;
  _onOpen(): void;
  _onClose(): void;
}

/** The noble instance as with-bindings returns it (typed loosely; see @abandonware/noble's index.d.ts). */
export interface NobleLike extends EventEmitter {
  state: string;
  startScanningAsync(serviceUuids?: string[], allowDuplicates?: boolean): Promise<void>;
  stopScanningAsync(): Promise<void>;
  _peripherals: Record<string, Peripheral>;
}

export interface SimulatorError {
  code: string;
  message: string;
  action?: string;
  peripheralUuid?: string;
}

type BindingsCtor = { new (): NobleWsBindings; prototype: NobleWsBindings };

/** Stock bindings for the default port, or the stock prototype wired to another port/host. */
export function simulatorBindings(port = DEFAULT_RADIO_PORT, host = 'localhost'): NobleWsBindings {
  const Bindings = require('@abandonware/noble/lib/websocket/bindings') as BindingsCtor;
  if (port === DEFAULT_RADIO_PORT && host === 'localhost') return new Bindings();
  // The stock constructor, with the URL as the only change.
  const b = Object.create(Bindings.prototype) as NobleWsBindings;
  EventEmitter.call(b);
  b._ws = new WebSocket(`ws://${host}:${port}`);
  b._startScanCommand = null;
  b._peripherals = {};
  b.on('message', b._onMessage.bind(b));
  b._ws.on('open', b._onOpen.bind(b));
  b._ws.on('close', b._onClose.bind(b));
  b._ws.on('error', b._onClose.bind(b));
  b._ws.on('message', (data) => b.emit('message', JSON.parse(String(data))));
  return b;
}

/** Forwards the simulator's mtu and error frames into noble (see the file comment). */
export function attachSimulatorExtras(noble: NobleLike, bindings: NobleWsBindings): void {
  bindings.on('message', (m: { type?: string; peripheralUuid?: string; mtu?: number } & Partial<SimulatorError>) => {
    if (m.type === 'mtu' && typeof m.peripheralUuid === 'string' && typeof m.mtu === 'number')
      bindings.emit('onMtu', m.peripheralUuid, m.mtu);
    else if (m.type === 'error')
      noble.emit('simulatorError', {
        code: m.code,
        message: m.message,
        action: m.action,
        peripheralUuid: m.peripheralUuid,
      });
  });
}
