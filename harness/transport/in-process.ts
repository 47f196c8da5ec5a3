/**
 * Bands booted in this process (firmware/testenv's RadioEmu behind bootBand): the same
 * BandTransport/BandLink contract as the radios, with no air in between. For tests and
 * for demos that run everything in one process.
 *
 * RadioEmu collects notifications in an array and keeps one listener per event for the
 * firmware, so this transport wraps the instance's `notify` and `disconnect` methods to
 * hear them (once per radio). Notifications are delivered on a microtask, as a radio
 * delivers them after the write that caused them, never inside it.
 */
import { MIN_MTU, clampMtu } from '../../shared/framing/fragment.ts';
import { LinkListeners } from '../../bridge/transport/link-listeners.ts';
import { Status } from '../../shared/status/codes.ts';
import {
  type BandLink,
  type BandTransport,
  type FoundBand,
  type ScanOptions,
  TransportError,
} from '../../bridge/transport/types.ts';

/** What this transport needs of firmware/testenv's RadioEmu. */
export interface EmulatedRadio {
  readonly connected: boolean;
  connect(mtu?: number): void;
  disconnect(): void;
  write(bytes: Uint8Array): void;
  readInfo(): Uint8Array;
  notify(data: Uint8Array): void;
  /** The private address the radio advertises now (RadioEmu has one once the firmware set its IRK). */
  readonly address?: string | null;
}

export interface InProcessBand {
  radio: EmulatedRadio;
  /** Peripheral id (default "band-1", "band-2", …). */
  id?: string;
  rssi?: number;
  /** ATT MTU the link negotiates (default 185). */
  mtu?: number;
}

interface Hooks {
  notify: Set<(d: Uint8Array) => void>;
  down: Set<() => void>;
}
const hooked = new WeakMap<EmulatedRadio, Hooks>();

function hooks(radio: EmulatedRadio): Hooks {
  let h = hooked.get(radio);
  if (h) return h;
  const made: Hooks = { notify: new Set(), down: new Set() };
  const notify = radio.notify.bind(radio);
  const disconnect = radio.disconnect.bind(radio);
  radio.notify = (data: Uint8Array): void => {
    notify(data);
    if (!radio.connected) return;
    const copy = data.slice();
    queueMicrotask(() => {
      for (const fn of [...made.notify]) fn(copy);
    });
  };
  radio.disconnect = (): void => {
    const was = radio.connected;
    disconnect();
    if (was) for (const fn of [...made.down]) fn();
  };
  hooked.set(radio, made);
  h = made;
  return h;
}

class InProcessLink implements BandLink {
  private up = true;
  private readonly listeners = new LinkListeners();
  private readonly release: () => void;

  constructor(
    readonly id: string,
    private readonly radio: EmulatedRadio,
    readonly mtu: number,
  ) {
    const h = hooks(radio);
    const onNotify = (d: Uint8Array): void => {
      if (this.up) this.listeners.fragment(d);
    };
    const onDown = (): void => this.markDown('the band disconnected');
    h.notify.add(onNotify);
    h.down.add(onDown);
    this.release = () => {
      h.notify.delete(onNotify);
      h.down.delete(onDown);
    };
  }

  get connected(): boolean {
    return this.up;
  }

  async readInfo(): Promise<Uint8Array> {
    if (!this.up) throw new TransportError(Status.UNREACHABLE, 'the band is not connected');
    return this.radio.readInfo();
  }

  async write(fragment: Uint8Array): Promise<void> {
    if (!this.up) throw new TransportError(Status.UNREACHABLE, 'the band is not connected');
    if (fragment.length === 0 || fragment.length > this.mtu - 3) {
      throw new TransportError(
        Status.OVERSIZE,
        `a write of ${fragment.length} bytes does not fit ATT_MTU ${this.mtu} − 3`,
      );
    }
    try {
      this.radio.write(fragment);
    } catch (e) {
      throw new TransportError(Status.UNREACHABLE, `write failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  onNotify(fn: (fragment: Uint8Array) => void): () => void {
    return this.listeners.onNotify(fn);
  }

  onDisconnect(fn: (reason: string) => void): () => void {
    return this.listeners.onDisconnect(fn);
  }

  async disconnect(): Promise<void> {
    if (!this.up) return;
    this.radio.disconnect();
    this.markDown('disconnected by the bridge');
  }

  private markDown(reason: string): void {
    if (!this.up) return;
    this.up = false;
    this.release();
    this.listeners.down(reason);
  }
}

export class InProcessTransport implements BandTransport {
  readonly kind = 'in-process' as const;
  readonly description = 'bands in this process';
  private readonly bands: Array<Required<InProcessBand>>;
  private readonly links = new Set<BandLink>();
  private closed = false;

  constructor(bands: InProcessBand[]) {
    this.bands = bands.map((b, i) => ({
      radio: b.radio,
      id: b.id ?? `band-${i + 1}`,
      rssi: b.rssi ?? -40 - 5 * i,
      mtu: clampMtu(b.mtu ?? 185),
    }));
  }

  async scan(opts: ScanOptions): Promise<FoundBand[]> {
    if (this.closed) throw new TransportError(Status.UNREACHABLE, 'the radio was closed');
    // A connected peripheral stops advertising, as on air.
    const out = this.bands
      .filter((b) => !b.radio.connected)
      .map(
        (b): FoundBand => ({
          id: b.id,
          name: '',
          rssi: b.rssi,
          ...(b.radio.address ? { address: b.radio.address } : {}),
        }),
      );
    for (const b of out) opts.onFound?.(b);
    return out.sort((a, b) => b.rssi - a.rssi);
  }

  async connect(id: string): Promise<BandLink> {
    if (this.closed) throw new TransportError(Status.UNREACHABLE, 'the radio was closed');
    const band = this.bands.find((b) => b.id === id);
    if (!band) throw new TransportError(Status.UNREACHABLE, `band ${id} is not advertising`);
    if (band.radio.connected) throw new TransportError(Status.BUSY, `band ${id} is connected to another central`);
    hooks(band.radio);
    band.radio.connect(Math.max(MIN_MTU, band.mtu));
    const link = new InProcessLink(id, band.radio, band.mtu);
    this.links.add(link);
    link.onDisconnect(() => this.links.delete(link));
    return link;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.links].map((l) => l.disconnect()));
  }
}
