/**
 * `--radio` and `--scan-ms` for the bridge commands: open the radio, scan with a spinner,
 * list the bands found with their RSSI, connect to the nearest and wrap the link in a
 * relay session. Failures are reported here (exit 2 for a bad option, 3 when the radio
 * or a required band cannot be reached) and the caller gets null.
 */
import { Status } from '../shared/status/codes.ts';
import { refusal, refusalOf } from '../bridge/flows/outcome.ts';
import { BandSession } from '../bridge/relay/band-session.ts';
import { connectNearest } from '../bridge/transport/nearest.ts';
import { openTransport, parseRadio } from '../bridge/transport/select.ts';
import type { BandTransport, FoundBand } from '../bridge/transport/types.ts';
import { type Out, bandLine } from './bridge-io.ts';

export interface RadioOptions {
  radio?: string;
  scanMs?: string;
}

export interface AtBand {
  /** Null when no band was found (only when the band is optional) or the radio is `none`. */
  session: BandSession | null;
  band: FoundBand | null;
  found: FoundBand[];
  close(): Promise<void>;
}

export const RADIO_HELP =
  'radio: ws://HOST:PORT (band simulator), hci (Bluetooth adapter) or none; default $WRISTPAY_RADIO or ws://127.0.0.1:2846';

/**
 * Opens the radio and connects to the nearest band, or with `identityKeys` (an owner's
 * command) to the nearest band whose private address resolves with one of them; null when
 * it failed (already reported).
 */
export async function openBand(
  out: Out,
  opts: RadioOptions,
  required: boolean,
  identityKeys?: readonly Uint8Array[],
): Promise<AtBand | null> {
  const spec = parseRadio(opts.radio, out.io.env);
  if (!spec) {
    out.usage(
      `--radio must be ws://HOST:PORT, wss://…, hci or none, not ${JSON.stringify(opts.radio ?? out.io.env.WRISTPAY_RADIO)}`,
    );
    return null;
  }
  const scanMs = opts.scanMs === undefined ? 2000 : Number(opts.scanMs);
  if (!Number.isInteger(scanMs) || scanMs < 0 || scanMs > 60_000) {
    out.usage(`--scan-ms must be 0..60000, not ${opts.scanMs}`);
    return null;
  }
  const none: AtBand = { session: null, band: null, found: [], close: async () => undefined };
  if (spec.kind === 'none') {
    if (!required) return none;
    out.usage('this command talks to a band: choose a radio with --radio');
    return null;
  }
  const transport: BandTransport | null = out.io.transport ? out.io.transport(spec) : openTransport(spec);
  if (!transport) return none;
  out.spinner.start(`Looking for bands (${transport.description})…`);
  let count = 0;
  try {
    const near = await connectNearest(transport, {
      scanMs,
      identityKeys,
      onFound: () => out.spinner.update(`Looking for bands (${transport.description})… ${++count} found`),
    });
    out.spinner.stop();
    if (near.found.length > 0)
      out.info(
        `${near.found.length === 1 ? '1 band' : `${near.found.length} bands`} nearby:\n${near.found.map((b, i) => bandLine(b, i === 0)).join('\n')}`,
      );
    if (near.ambiguous && near.band)
      out.warn(
        `two ${identityKeys?.length ? 'of your ' : ''}bands are about equally near; using ${near.band.id} (${near.band.rssi} dBm)`,
      );
    if (!near.link) {
      const why =
        near.found.length > 0
          ? `none of the bands nearby is yours (no private address resolves with your bands' identity keys; ${transport.description})`
          : `no band nearby (${transport.description})`;
      if (required) {
        out.refuse(refusal(Status.UNREACHABLE, 'radio', why));
        await transport.close();
        return null;
      }
      out.info(near.found.length > 0 ? 'None of the bands nearby is yours.' : 'No band nearby.');
      return { ...none, found: near.found, close: () => transport.close() };
    }
    const session = new BandSession(near.link);
    return {
      session,
      band: near.band,
      found: near.found,
      close: async () => {
        await session.close().catch(() => undefined);
        await transport.close();
      },
    };
  } catch (e) {
    out.refuse(refusalOf(e, 'radio'));
    await transport.close().catch(() => undefined);
    return null;
  }
}
