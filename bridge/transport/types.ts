/**
 * The bridge's one view of a BLE radio, whatever carries it: a real adapter (noble's HCI
 * bindings), the band simulator (noble's websocket bindings) or a band booted in this
 * process (tests). A transport is chosen once, at construction, as noble chooses its
 * bindings; everything above it (relay session, flows, CLI) sees only these interfaces.
 *
 * Every step that waits on the air has a time-out and fails with a WristpayError
 * carrying TIMEOUT or UNREACHABLE (or the link's own status), never hangs.
 */
import { WristpayError } from '../../shared/status/error.ts';
import type { StatusCode } from '../../shared/status/codes.ts';

/** A band seen while scanning (it advertised the wristpay service). */
export interface FoundBand {
  /** The transport's handle for the peripheral (noble's peripheral id). Not the device id: that never travels in clear. */
  id: string;
  /** Advertised local name: none since the band advertises privately (docs/PROTOCOL.md §7), so usually ''. */
  name: string;
  /**
   * The advertised address, "4x:…": a resolvable private address that changes at least every
   * 15 minutes. The owner's bridge recognises its band by it (nearest.ts); absent when the
   * radio does not report addresses (macOS).
   */
  address?: string;
  /** When it was last heard in this scan (ms, Date.now()): a band that took a new address meanwhile was heard under both. */
  seenAt?: number;
  /** Signal strength in dBm; higher (closer to 0) is nearer. */
  rssi: number;
}

export interface ScanOptions {
  /** How long to listen for advertisements. */
  timeoutMs: number;
  /** Called once per band, when first seen. */
  onFound?: (band: FoundBand) => void;
}

export interface ConnectOptions {
  /** Budget for each step of connecting (link, discovery, subscription). Default 10 000 ms. */
  timeoutMs?: number;
}

export type TransportKind = 'hci' | 'websocket' | 'in-process';

export interface BandTransport {
  readonly kind: TransportKind;
  /** For people: "simulator at ws://127.0.0.1:2846", "Bluetooth adapter (HCI)". */
  readonly description: string;
  /** Bands advertising the wristpay service, nearest (highest RSSI) first. */
  scan(opts: ScanOptions): Promise<FoundBand[]>;
  /** Connects, discovers the wristpay service and its three characteristics, subscribes to status. */
  connect(id: string, opts?: ConnectOptions): Promise<BandLink>;
  /** Stops scanning, drops links and releases the radio. Idempotent. */
  close(): Promise<void>;
}

/** One connected band: the three characteristics of docs/PROTOCOL.md §1. */
export interface BandLink {
  readonly id: string;
  /** Negotiated ATT MTU, already clamped to 23..517: fragments are at most mtu − 3 bytes. */
  readonly mtu: number;
  readonly connected: boolean;
  /** Reads the info characteristic (an INFO message, untrusted bytes). */
  readInfo(): Promise<Uint8Array>;
  /** One write (with response) of one fragment to the control point. Writes are serialised. */
  write(fragment: Uint8Array): Promise<void>;
  /** Every notification of the status characteristic; returns an unsubscribe function. */
  onNotify(fn: (fragment: Uint8Array) => void): () => void;
  /** Called once when the link drops (either side); returns an unsubscribe function. */
  onDisconnect(fn: (reason: string) => void): () => void;
  disconnect(): Promise<void>;
}

/** A radio-side failure: TIMEOUT, UNREACHABLE, BUSY (band held by another central), OVERSIZE. */
export class TransportError extends WristpayError {
  constructor(status: StatusCode, detail: string) {
    super(status, detail);
    this.name = 'TransportError';
  }
}
