/**
 * Frame command bytes of the GATT transport (modelled on the FIDO CTAP 2.1 BLE transport,
 * §11.4). The high bit marks an initial fragment: a byte 0x00..0x7F in the first position
 * of a fragment is a continuation sequence number, anything 0x80..0xFF starts a message.
 *
 * Runs on the band: ES5 library only (no Object.values, no Map).
 */
export const FrameCommand = {
  /** Echo request/answer; payload is echoed back unchanged. */
  PING: 0x81,
  /** Band → host while a request is pending (for example waiting for a button press). */
  KEEPALIVE: 0x82,
  /** One protocol message (CBOR, usually an HPKE envelope). */
  MSG: 0x83,
  /** Host → band: abandon the pending request. */
  CANCEL: 0xbe,
  /** Band → host: one status byte (shared/status/codes.ts) saying why a frame was refused. */
  ERROR: 0xbf,
} as const;

export type FrameCommandName = keyof typeof FrameCommand;
export type FrameCommandCode = (typeof FrameCommand)[FrameCommandName];

/** True for a byte that is one of the defined frame commands. */
export function isFrameCommand(byte: number): byte is FrameCommandCode {
  // A switch rather than a lookup over Object.keys: cheap on Espruino, and exact.
  switch (byte) {
    case FrameCommand.PING:
    case FrameCommand.KEEPALIVE:
    case FrameCommand.MSG:
    case FrameCommand.CANCEL:
    case FrameCommand.ERROR:
      return true;
    default:
      return false;
  }
}
