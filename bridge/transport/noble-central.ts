/**
 * The BLE central over stock noble, whichever bindings it was built with: waits for the
 * radio to power on, scans for the wristpay service, connects, discovers the service and
 * its three characteristics (docs/PROTOCOL.md §1), subscribes to status notifications
 * and reads the negotiated MTU. `noble-hci.ts` and `noble-websocket.ts` only say how to
 * obtain the noble instance; everything else is here, once.
 */
import type { EventEmitter } from 'node:events';
import { MIN_MTU, clampMtu } from '../../shared/framing/fragment.ts';
import { Gatt } from '../../shared/protocol/constants.ts';
import { parseAddress } from '../../shared/radio/rpa.ts';
import { Status } from '../../shared/status/codes.ts';
import { asTransportError, callback, sleep, withTimeout } from './deadline.ts';
import { NobleLink } from './noble-link.ts';
import { type Noble, type NobleCharacteristic, type NoblePeripheral, nobleUuid } from './noble-types.ts';
import {
  type BandLink,
  type BandTransport,
  type ConnectOptions,
  type FoundBand,
  type ScanOptions,
  TransportError,
  type TransportKind,
} from './types.ts';

const SERVICE = nobleUuid(Gatt.SERVICE);
const CONTROL = nobleUuid(Gatt.CONTROL_POINT);
const STATUS = nobleUuid(Gatt.STATUS);
const INFO = nobleUuid(Gatt.INFO);

export interface NobleCentralOptions {
  kind: Exclude<TransportKind, 'in-process'>;
  description: string;
  /** Obtains noble (lazily: the HCI bindings throw at load time without an adapter). */
  open: () => Promise<Noble>;
  /** Emits 'fault' (peripheralId | undefined, TransportError) for failures the radio reports. */
  faults?: EventEmitter;
  /** Releases what `open` acquired (the websocket, the HCI socket). */
  release?: () => void;
  /** Budget for the radio to reach poweredOn. Default 5000 ms. */
  readyTimeoutMs?: number;
  /** What to tell a person when the radio reports poweredOff. */
  offHint?: string;
}

function isWristpay(p: NoblePeripheral): boolean {
  const ad = p.advertisement ?? {};
  const uuids = (ad.serviceUuids ?? []).map(nobleUuid);
  return uuids.includes(SERVICE) || ad.localName === Gatt.LOCAL_NAME;
}

function found(p: NoblePeripheral): FoundBand {
  const band: FoundBand = {
    id: p.id,
    name: p.advertisement?.localName ?? '',
    rssi: typeof p.rssi === 'number' ? p.rssi : -127,
    seenAt: Date.now(),
  };
  // noble says "unknown" where the OS hides addresses (macOS): only a real 48-bit address is kept.
  if (typeof p.address === 'string' && parseAddress(p.address) !== null) band.address = p.address;
  return band;
}

export class NobleCentral implements BandTransport {
  readonly kind: NobleCentralOptions['kind'];
  readonly description: string;
  private opening: Promise<Noble> | null = null;
  private closed = false;
  private readonly seen = new Map<string, NoblePeripheral>();
  private readonly links = new Set<BandLink>();

  constructor(private readonly options: NobleCentralOptions) {
    this.kind = options.kind;
    this.description = options.description;
  }

  async scan(opts: ScanOptions): Promise<FoundBand[]> {
    const noble = await this.ready();
    const bands = new Map<string, FoundBand>();
    const onDiscover = (p: NoblePeripheral): void => {
      if (!isWristpay(p)) return;
      this.seen.set(p.id, p);
      const first = !bands.has(p.id);
      bands.set(p.id, found(p));
      if (first) opts.onFound?.(found(p));
    };
    noble.on('discover', onDiscover);
    try {
      await this.startScanning(noble);
      await sleep(opts.timeoutMs);
    } finally {
      noble.removeListener('discover', onDiscover);
      noble.stopScanning();
    }
    return [...bands.values()].sort((a, b) => b.rssi - a.rssi);
  }

  async connect(id: string, opts: ConnectOptions = {}): Promise<BandLink> {
    const budget = opts.timeoutMs ?? 10_000;
    const noble = await this.ready();
    const p = this.seen.get(id) ?? (await this.find(noble, id, budget));
    await this.guard(
      id,
      withTimeout(
        callback((cb) => p.connect(cb)),
        budget,
        'connecting to the band',
        () => p.disconnect(),
      ),
      'connecting to the band',
    );
    try {
      const chars = await this.guard(
        id,
        withTimeout(
          new Promise<NobleCharacteristic[]>((resolve, reject) =>
            p.discoverSomeServicesAndCharacteristics([SERVICE], [CONTROL, STATUS, INFO], (err, _s, c) =>
              err ? reject(err) : resolve(c ?? []),
            ),
          ),
          budget,
          'discovering the wristpay service',
        ),
        'discovering the wristpay service',
      );
      const pick = (uuid: string): NobleCharacteristic => {
        const c = chars.find((x) => nobleUuid(x.uuid) === uuid);
        if (!c) throw new TransportError(Status.UNREACHABLE, `not a wristpay band: characteristic ${uuid} is missing`);
        return c;
      };
      const control = pick(CONTROL);
      const status = pick(STATUS);
      const info = pick(INFO);
      await this.guard(
        id,
        withTimeout(
          callback((cb) => status.subscribe(cb)),
          budget,
          'subscribing to status notifications',
        ),
        'subscribing',
      );
      // noble sets peripheral.mtu after the ATT MTU exchange (HCI), or from the simulator's
      // mtu frame (websocket); a stack that never says keeps the minimum every link supports.
      const mtu = clampMtu(typeof p.mtu === 'number' && p.mtu > 0 ? p.mtu : MIN_MTU);
      const link = new NobleLink({ peripheral: p, control, status, info, mtu, faults: this.options.faults });
      this.links.add(link);
      link.onDisconnect(() => this.links.delete(link));
      return link;
    } catch (e) {
      p.disconnect();
      throw asTransportError(e, 'connecting to the band');
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.links].map((l) => l.disconnect()));
    if (this.opening) {
      try {
        (await this.opening).stopScanning();
      } catch {
        // the radio never came up: nothing to stop
      }
    }
    this.options.release?.();
  }

  /** noble, powered on; UNREACHABLE when the radio is off, missing or refuses us. */
  private async ready(): Promise<Noble> {
    if (this.closed) throw new TransportError(Status.UNREACHABLE, 'the radio was closed');
    // noble prints its 'warning' events unless someone else listens: listen, quietly.
    this.opening ??= this.options.open().then((n) => n.on('warning', () => undefined) as Noble);
    const noble = await this.opening;
    if (noble.state === 'poweredOn') return noble;
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        const on = (state: string): void => {
          if (state === 'poweredOn') {
            noble.removeListener('stateChange', on);
            resolve();
          } else if (state === 'poweredOff' || state === 'unsupported' || state === 'unauthorized') {
            noble.removeListener('stateChange', on);
            const hint = state === 'poweredOff' && this.options.offHint ? this.options.offHint : `radio is ${state}`;
            reject(new TransportError(Status.UNREACHABLE, `${this.description}: ${hint}`));
          }
        };
        noble.on('stateChange', on);
      }),
      this.options.readyTimeoutMs ?? 5000,
      `${this.description}: waiting for the radio`,
    );
    return noble;
  }

  private startScanning(noble: Noble): Promise<void> {
    return withTimeout(
      callback((cb) => noble.startScanning([SERVICE], true, cb)),
      5000,
      'starting a scan',
    );
  }

  /** Scans until the peripheral `id` advertises (connect without a prior scan, or a reconnect). */
  private async find(noble: Noble, id: string, budget: number): Promise<NoblePeripheral> {
    let onDiscover: (p: NoblePeripheral) => void = () => undefined;
    const seen = new Promise<NoblePeripheral>((resolve) => {
      onDiscover = (p) => {
        if (p.id === id) resolve(p);
      };
    });
    noble.on('discover', onDiscover);
    try {
      await this.startScanning(noble);
      const p = await withTimeout(seen, budget, `looking for band ${id}`);
      this.seen.set(id, p);
      return p;
    } catch (e) {
      throw e instanceof TransportError && e.status === Status.TIMEOUT
        ? new TransportError(
            Status.UNREACHABLE,
            `band ${id} is not advertising (out of range, or connected to another bridge)`,
          )
        : e;
    } finally {
      noble.removeListener('discover', onDiscover);
      noble.stopScanning();
    }
  }

  /** `work`, or the first fault the radio reports for this peripheral meanwhile. */
  private guard<T>(id: string, work: Promise<T>, what: string): Promise<T> {
    const faults = this.options.faults;
    if (!faults) return work;
    let onFault: (pid: string | undefined, err: TransportError) => void = () => undefined;
    const fault = new Promise<never>((_, reject) => {
      onFault = (pid, err) => {
        if (pid === undefined || pid === id) reject(new TransportError(err.status, `${what}: ${err.message}`));
      };
      faults.on('fault', onFault);
    });
    return Promise.race([work, fault]).finally(() => faults.removeListener('fault', onFault));
  }
}
