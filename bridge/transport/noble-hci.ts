/**
 * A real Bluetooth adapter through noble's default (HCI socket) bindings.
 *
 * `@abandonware/noble` picks and constructs its bindings when the module is first loaded,
 * and on a machine without an adapter (or without the native module) that load throws. So
 * this file never imports noble at load time: the dynamic import happens on the first scan
 * or connect, and a failure becomes UNREACHABLE ("no Bluetooth adapter") instead of a
 * crash of every command that merely links the bridge.
 */
import { Status } from '../../shared/status/codes.ts';
import { NobleCentral } from './noble-central.ts';
import type { Noble } from './noble-types.ts';
import { type BandTransport, TransportError } from './types.ts';

interface HciInternals {
  _bindings?: { _hci?: { _socket?: { stop?: () => void }; pollIsDevUp?: () => void } };
}

export function createHciTransport(): BandTransport {
  let noble: (Noble & HciInternals) | null = null;
  return new NobleCentral({
    kind: 'hci',
    description: 'Bluetooth adapter (HCI)',
    offHint: 'the adapter is powered off (try: bluetoothctl power on)',
    open: async () => {
      try {
        const mod = (await import('@abandonware/noble')) as unknown as { default?: Noble };
        noble = (mod.default ?? (mod as unknown as Noble)) as Noble & HciInternals;
        return noble;
      } catch (e) {
        throw new TransportError(
          Status.UNREACHABLE,
          `no usable Bluetooth adapter: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
    },
    // noble has no close: stop the HCI socket, and end the once-a-second adapter poll that
    // noble re-arms forever (it would keep the process alive), so that the process can exit
    // (best effort; these are noble's internals, absent on other platforms).
    release: () => {
      const hci = noble?._bindings?._hci;
      if (hci?.pollIsDevUp) hci.pollIsDevUp = () => undefined;
      try {
        hci?._socket?.stop?.();
      } catch {
        // already stopped
      }
    },
  });
}
