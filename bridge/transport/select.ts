/**
 * `--radio` → a transport: `hci` (a real adapter), `ws://host:port` or `wss://…` (the band
 * simulator), `none` (no radio: charges go straight to the password fallback). Default:
 * $WRISTPAY_RADIO, else the simulator on ws://127.0.0.1:2846.
 */
import { createHciTransport } from './noble-hci.ts';
import { DEFAULT_RADIO_URL, createWebsocketTransport } from './noble-websocket.ts';
import type { BandTransport } from './types.ts';

export type RadioSpec = { kind: 'hci' } | { kind: 'websocket'; url: string } | { kind: 'none' };

/** The radio named by `text` (or the environment, or the default); null when it is not one. */
export function parseRadio(text: string | undefined, env: NodeJS.ProcessEnv = process.env): RadioSpec | null {
  const spec = (text ?? env.WRISTPAY_RADIO ?? DEFAULT_RADIO_URL).trim();
  if (spec === 'hci') return { kind: 'hci' };
  if (spec === 'none') return { kind: 'none' };
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    return null;
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') return null;
  return { kind: 'websocket', url: spec };
}

/** A transport for the spec (nothing is opened until the first scan); null for `none`. */
export function openTransport(spec: RadioSpec): BandTransport | null {
  if (spec.kind === 'hci') return createHciTransport();
  if (spec.kind === 'websocket') return createWebsocketTransport(spec.url);
  return null;
}
