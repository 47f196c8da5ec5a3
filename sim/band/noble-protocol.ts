/**
 * noble's websocket protocol as the simulator serves it (the peer of
 * node_modules/@abandonware/noble/lib/websocket/bindings.js; ws-slave.js is noble's own
 * server). Text frames of JSON; binary values as hex strings. Central → simulator frames
 * carry `action`, simulator → central frames carry `type`.
 *
 * This file: the band's attribute table, UUID normalisation and the checks every
 * incoming frame passes before anything acts on it (frames are untrusted input).
 */
import { Gatt } from '../../shared/protocol/constants.ts';

/** noble's UUID form: lower-case hex without dashes. */
export function normUuid(u: string): string {
  return u.replace(/-/g, '').toLowerCase();
}

export const SERVICE_UUID = normUuid(Gatt.SERVICE);
export const CONTROL_UUID = normUuid(Gatt.CONTROL_POINT);
export const STATUS_UUID = normUuid(Gatt.STATUS);
export const INFO_UUID = normUuid(Gatt.INFO);
/** Client Characteristic Configuration descriptor (enables notifications). */
export const CCCD_UUID = '2902';

/**
 * Attribute handles, as a real GATT server would number them:
 * 1 service · 2/3 control point decl/value · 4/5 status decl/value · 6 status CCCD · 7/8 info decl/value.
 */
export const Handle = { CONTROL: 3, STATUS: 5, STATUS_CCCD: 6, INFO: 8 } as const;

export const CHARACTERISTICS = [
  { uuid: CONTROL_UUID, properties: ['write'] },
  { uuid: STATUS_UUID, properties: ['notify'] },
  { uuid: INFO_UUID, properties: ['read'] },
] as const;

export const ACTIONS = [
  'startScanning',
  'stopScanning',
  'connect',
  'disconnect',
  'updateRssi',
  'discoverServices',
  'discoverIncludedServices',
  'discoverCharacteristics',
  'read',
  'write',
  'broadcast',
  'notify',
  'discoverDescriptors',
  'readValue',
  'writeValue',
  'readHandle',
  'writeHandle',
] as const;
export type Action = (typeof ACTIONS)[number];

/** Error codes of the simulator's `{ type: 'error' }` frames (stock noble ignores the frame type). */
export type ErrorCode =
  | 'malformed'
  | 'unknown-action'
  | 'unknown-peripheral'
  | 'unreachable'
  | 'busy'
  | 'not-connected'
  | 'unknown-service'
  | 'unknown-characteristic'
  | 'unknown-descriptor'
  | 'unknown-handle'
  | 'not-permitted'
  | 'oversize';

export interface ErrorFrame {
  type: 'error';
  code: ErrorCode;
  message: string;
  action?: string;
  peripheralUuid?: string;
  characteristicUuid?: string;
  handle?: number;
}

/** A checked central → simulator frame. Optional fields are present only when well-typed. */
export interface Command {
  action: Action;
  peripheralUuid?: string;
  serviceUuid?: string;
  characteristicUuid?: string;
  descriptorUuid?: string;
  serviceUuids?: string[];
  characteristicUuids?: string[];
  uuids?: string[];
  data?: Uint8Array;
  withoutResponse?: boolean;
  allowDuplicates?: boolean;
  notify?: boolean;
  handle?: number;
}

export type Parsed = { ok: true; command: Command } | { ok: false; error: ErrorFrame };

/** Largest value an ATT write can carry (Core Vol 3 Part F 3.2.9). */
export const MAX_ATTRIBUTE = 512;

const bad = (message: string, action?: string): Parsed => ({
  ok: false,
  error: { type: 'error', code: 'malformed', message, action },
});

function uuidList(v: unknown, field: string, action: string): string[] | undefined | Parsed {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.length > 32 || !v.every((u) => typeof u === 'string' && /^[0-9a-fA-F-]{4,36}$/.test(u))) {
    return bad(`${field} must be an array of UUID strings`, action);
  }
  return v.map(normUuid);
}

/** Parses one text frame from a central. Never throws. */
export function parseCommand(text: string): Parsed {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return bad('frame is not JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad('frame is not a JSON object');
  const f = v as Record<string, unknown>;
  if (typeof f.action !== 'string') return bad('frame has no "action" string');
  const action = f.action;
  if (!(ACTIONS as readonly string[]).includes(action)) {
    return {
      ok: false,
      error: {
        type: 'error',
        code: 'unknown-action',
        message: `unknown action "${action.slice(0, 40)}"`,
        action: action.slice(0, 40),
      },
    };
  }
  const c: Command = { action: action as Action };
  for (const key of ['peripheralUuid', 'serviceUuid', 'characteristicUuid', 'descriptorUuid'] as const) {
    const s = f[key];
    if (s === undefined || s === null) continue;
    if (typeof s !== 'string' || !/^[0-9a-fA-F:-]{1,64}$/.test(s)) return bad(`${key} must be a hex id string`, action);
    c[key] = s.replace(/[:-]/g, '').toLowerCase();
  }
  for (const key of ['serviceUuids', 'characteristicUuids', 'uuids'] as const) {
    const list = uuidList(f[key], key, action);
    if (list !== undefined && !Array.isArray(list)) return list;
    if (list !== undefined) c[key] = list;
  }
  if (f.data !== undefined && f.data !== null) {
    if (typeof f.data !== 'string' || f.data.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(f.data))
      return bad('data must be an even-length hex string', action);
    if (f.data.length / 2 > MAX_ATTRIBUTE) {
      return {
        ok: false,
        error: {
          type: 'error',
          code: 'oversize',
          message: `write of ${f.data.length / 2} bytes: an attribute value is at most ${MAX_ATTRIBUTE}`,
          action,
        },
      };
    }
    c.data = new Uint8Array(Buffer.from(f.data, 'hex'));
  }
  for (const key of ['withoutResponse', 'allowDuplicates', 'notify'] as const) {
    const b = f[key];
    if (b === undefined || b === null) continue;
    if (typeof b !== 'boolean') return bad(`${key} must be a boolean`, action);
    c[key] = b;
  }
  if (f.handle !== undefined && f.handle !== null) {
    if (typeof f.handle !== 'number' || !Number.isInteger(f.handle) || f.handle < 1 || f.handle > 0xffff)
      return bad('handle must be an integer 1..65535', action);
    c.handle = f.handle;
  }
  return { ok: true, command: c };
}
