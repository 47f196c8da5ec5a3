/**
 * noble's own websocket bindings (node_modules/@abandonware/noble/lib/websocket/bindings.js),
 * dialling a URL of our choosing.
 *
 * The stock constructor hard-codes ws://localhost:2846 (port 0xB1E) and reads no option or
 * environment variable, so this builds an object of the stock prototype the way that
 * constructor does — `Object.create(Bindings.prototype)`, EventEmitter initialised, the same
 * fields and socket wiring — with three deliberate differences:
 *
 *  - the socket dials `url` (another host or port: the simulator on an ephemeral port, or
 *    on another machine);
 *  - nothing is written to the console (the stock bindings log "on -> open", every state
 *    and every failed send), and a frame that is not JSON, or that noble's handlers choke
 *    on (a notification for a peripheral it never discovered throws inside noble), is
 *    dropped instead of crashing the process: frames from the socket are untrusted input;
 *  - two frames that are the simulator's own (docs/SIMULATOR.md) are understood:
 *    `{type:'mtu'}` becomes noble's `onMtu` event, which sets `peripheral.mtu` (noble's
 *    websocket bindings never learn an MTU otherwise), and `{type:'error'}` (a refused
 *    command) becomes a 'fault' on `faults`, so the pending operation fails at once
 *    instead of waiting for its time-out.
 *
 * Everything else — the commands sent, the events emitted to noble — is the stock code.
 */
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import WebSocket from 'ws';
import { Status, type StatusCode } from '../../shared/status/codes.ts';
import { TransportError } from './types.ts';

const require = createRequire(import.meta.url);

/** The fields and methods of the stock bindings object that this file touches. */
export interface WsBindings extends EventEmitter {
  _ws: WebSocket;
  _startScanCommand: unknown;
  _peripherals: Record<string, unknown>;
  _onMessage(event: unknown): void;
  _sendCommand(command: unknown, errorCallback?: (err: Error) => void): void;
  init(): void;
}

interface SimulatorErrorFrame {
  type: 'error';
  code?: string;
  message?: string;
  action?: string;
  peripheralUuid?: string;
}

function faultStatus(code: string | undefined): StatusCode {
  switch (code) {
    case 'busy':
      return Status.BUSY;
    case 'oversize':
      return Status.OVERSIZE;
    case 'malformed':
      return Status.MALFORMED;
    case 'unknown-action':
      return Status.UNKNOWN_COMMAND;
    default:
      return Status.UNREACHABLE;
  }
}

export interface WebsocketBindings {
  bindings: WsBindings;
  /** 'fault' (peripheralId | undefined, TransportError). */
  faults: EventEmitter;
  close(): void;
}

export function websocketBindings(url: string): WebsocketBindings {
  const Stock = require('@abandonware/noble/lib/websocket/bindings.js') as { prototype: WsBindings };
  const b = Object.create(Stock.prototype) as WsBindings;
  EventEmitter.call(b);
  const faults = new EventEmitter();
  b._startScanCommand = null;
  b._peripherals = {};
  b._ws = new WebSocket(url, { handshakeTimeout: 5000 });

  let down = false;
  const powerOff = (): void => {
    if (down) return;
    down = true;
    // Every link went with the socket: tell noble, so each peripheral emits 'disconnect'.
    for (const id of Object.keys(b._peripherals)) {
      try {
        b.emit('disconnect', id, 'the radio connection closed');
      } catch {
        // noble knows nothing of it
      }
    }
    b.emit('stateChange', 'poweredOff');
    faults.emit('fault', undefined, new TransportError(Status.UNREACHABLE, `the radio at ${url} went away`));
  };
  b._ws.on('close', powerOff);
  b._ws.on('error', powerOff);
  b._ws.on('message', (data: WebSocket.RawData) => {
    let frame: { type?: unknown; state?: unknown; peripheralUuid?: unknown; mtu?: unknown };
    try {
      frame = JSON.parse(String(data));
    } catch {
      return;
    }
    if (frame === null || typeof frame !== 'object') return;
    if (frame.type === 'stateChange') {
      if (typeof frame.state === 'string') b.emit('stateChange', frame.state);
      return;
    }
    if (frame.type === 'mtu') {
      if (typeof frame.peripheralUuid === 'string' && typeof frame.mtu === 'number')
        b.emit('onMtu', frame.peripheralUuid, frame.mtu);
      return;
    }
    if (frame.type === 'error') {
      const f = frame as SimulatorErrorFrame;
      const pid = typeof f.peripheralUuid === 'string' ? f.peripheralUuid : undefined;
      faults.emit(
        'fault',
        pid,
        new TransportError(
          faultStatus(f.code),
          `the radio refused ${f.action ?? 'a command'}: ${f.message ?? f.code ?? 'error'}`,
        ),
      );
      return;
    }
    try {
      b._onMessage(frame);
    } catch {
      // noble threw on a frame it did not expect (e.g. data for an unknown peripheral): drop it
    }
  });
  // The stock _sendCommand logs failures with console.warn and throws if the socket is not
  // open yet; this one reports a failed send as a fault instead.
  b._sendCommand = (command: unknown) => {
    if (b._ws.readyState !== WebSocket.OPEN) {
      faults.emit('fault', undefined, new TransportError(Status.UNREACHABLE, `the radio at ${url} is not connected`));
      return;
    }
    b._ws.send(JSON.stringify(command), (err?: Error) => {
      if (err)
        faults.emit('fault', undefined, new TransportError(Status.UNREACHABLE, `sending to ${url}: ${err.message}`));
    });
  };
  return {
    bindings: b,
    faults,
    close: () => {
      down = true;
      try {
        b._ws.close();
      } catch {
        // closing a socket that never opened
      }
    },
  };
}
