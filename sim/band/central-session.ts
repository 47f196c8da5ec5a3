/**
 * One central (one websocket client speaking noble's protocol) and what it does to the
 * simulated bands: scan, connect, discover, read, write, subscribe. Every frame is
 * checked (noble-protocol.ts) before it acts; a bad frame gets an `{ type: 'error' }`
 * frame back and nothing reaches the band, so the band's flash is untouched; the session
 * and every other central carry on. A band serves one central at a time and stops
 * advertising while connected, as a BLE peripheral does.
 *
 * A central connects to the peripheral id of the private address the band advertises now
 * (docs/PROTOCOL.md §7); the link keeps that id while the band's address rotates, and an
 * address the band no longer advertises cannot be connected to (no probing an old address).
 */
import type { WebSocket } from 'ws';
import type { CentralSink } from './band-radio.ts';
import {
  CCCD_UUID,
  CHARACTERISTICS,
  CONTROL_UUID,
  Handle,
  INFO_UUID,
  SERVICE_UUID,
  STATUS_UUID,
  parseCommand,
  type Command,
  type ErrorCode,
  type ErrorFrame,
} from './noble-protocol.ts';
import type { SimBand } from './sim-band.ts';

/** What a session needs from the server: the bands, and who holds which. */
export interface SessionHost {
  bands(): readonly SimBand[];
  /** The session connected to a band, if any. */
  ownerOf(band: SimBand): CentralSession | undefined;
  setOwner(band: SimBand, session: CentralSession | undefined): void;
  log(line: string): void;
}

const ADVERTISING_INTERVAL_MS = 500;

export class CentralSession {
  private scan: { filter: string[] | null; timer: NodeJS.Timeout } | null = null;
  /** This central's links, by the peripheral id each was made on. */
  private readonly links = new Map<string, SimBand>();
  private closed = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly host: SessionHost,
    readonly name: string,
  ) {
    this.send({ type: 'stateChange', state: 'poweredOn' });
  }

  /** One text frame from the central. */
  handle(text: string): void {
    const parsed = parseCommand(text);
    if (!parsed.ok) return this.send(parsed.error);
    const c = parsed.command;
    switch (c.action) {
      case 'startScanning':
        return this.startScanning(c);
      case 'stopScanning':
        return this.stopScanning();
      case 'connect':
        return this.connect(c);
      case 'disconnect':
        return this.disconnect(c);
      case 'broadcast':
        return this.fail(c, 'not-permitted', 'broadcast is not supported by the wristpay band');
      default:
        return this.gatt(c);
    }
  }

  /** The websocket went away: scanning stops, every link it held drops (mid-message data is lost with it). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopScanning();
    for (const band of [...this.links.values()]) band.hw.radio.detach('central vanished');
    this.links.clear();
  }

  send(frame: object): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(JSON.stringify(frame));
  }

  error(frame: ErrorFrame): void {
    this.send(frame);
  }

  private fail(c: Command, code: ErrorCode, message: string, extra: Partial<ErrorFrame> = {}): void {
    this.send({
      type: 'error',
      code,
      message,
      action: c.action,
      ...(c.peripheralUuid ? { peripheralUuid: c.peripheralUuid } : {}),
      ...extra,
    });
  }

  // ---- scanning ----
  private startScanning(c: Command): void {
    this.stopScanning();
    const filter = c.serviceUuids && c.serviceUuids.length > 0 ? c.serviceUuids : null;
    this.scan = { filter, timer: setInterval(() => this.advertise(), ADVERTISING_INTERVAL_MS) };
    this.scan.timer.unref();
    this.advertise();
  }

  private stopScanning(): void {
    if (this.scan) clearInterval(this.scan.timer);
    this.scan = null;
  }

  /**
   * Bands advertise while running and not connected: the current private address, the
   * service UUID and nothing else (no name, no manufacturer or service data, no serial):
   * nothing in an advertisement outlives the address it came with.
   */
  private advertise(): void {
    if (!this.scan) return;
    if (this.scan.filter && !this.scan.filter.includes(SERVICE_UUID)) return;
    for (const band of this.host.bands()) {
      if (!band.running || band.hw.radio.connected) continue;
      this.send({
        type: 'discover',
        peripheralUuid: band.peripheralId,
        address: band.address,
        addressType: 'random',
        connectable: true,
        advertisement: { localName: null, serviceUuids: [SERVICE_UUID], manufacturerData: null, serviceData: null },
        rssi: -42 - 3 * band.index,
      });
    }
  }

  // ---- connections ----
  /** The band of this central's link `c.peripheralUuid`, else the band advertising that id now. */
  private find(c: Command): SimBand | undefined {
    if (c.peripheralUuid === undefined) {
      this.fail(c, 'malformed', `${c.action} needs a peripheralUuid`);
      return undefined;
    }
    const band = this.links.get(c.peripheralUuid) ?? this.host.bands().find((b) => b.peripheralId === c.peripheralUuid);
    if (!band) this.fail(c, 'unknown-peripheral', `no band with id ${c.peripheralUuid}`);
    return band;
  }

  private connect(c: Command): void {
    const band = this.find(c);
    if (!band) return;
    const id = c.peripheralUuid as string;
    if (this.links.get(id) === band && band.hw.radio.connected)
      return this.send({ type: 'connect', peripheralUuid: id });
    const owner = this.host.ownerOf(band);
    // Another central holds it: a websocket one (owner), or one over HCI (no owner here).
    if ((owner !== undefined && owner !== this) || (owner === undefined && band.hw.radio.connected))
      return this.fail(c, 'busy', `band ${id} is connected to another central`);
    if (!band.running) return this.fail(c, 'unreachable', `band ${id} is not running (resetting, halted or stopped)`);
    const sink: CentralSink = {
      notification: (data) =>
        this.send({
          type: 'read',
          peripheralUuid: id,
          serviceUuid: SERVICE_UUID,
          characteristicUuid: STATUS_UUID,
          data: Buffer.from(data).toString('hex'),
          isNotification: true,
        }),
      disconnected: (reason) => {
        this.links.delete(id);
        if (this.host.ownerOf(band) === this) this.host.setOwner(band, undefined);
        this.host.log(`band ${band.index}: ${this.name} link down (${reason})`);
        this.send({ type: 'disconnect', peripheralUuid: id, reason });
      },
    };
    this.links.set(id, band);
    this.host.setOwner(band, this);
    band.hw.radio.attach(sink);
    // Not in stock noble's protocol (its websocket bindings ignore unknown types, and never
    // learn an MTU otherwise): the link's ATT MTU, sent before `connect` so a client that
    // forwards it (bridge/transport/ws-bindings.ts) has peripheral.mtu set when its connect callback runs.
    this.send({ type: 'mtu', peripheralUuid: id, mtu: band.hw.link.config.mtu });
    this.send({ type: 'connect', peripheralUuid: id });
    this.host.log(`band ${band.index}: ${this.name} connected (mtu ${band.hw.link.config.mtu})`);
  }

  private disconnect(c: Command): void {
    const band = this.find(c);
    if (!band) return;
    const id = c.peripheralUuid as string;
    if (this.links.get(id) === band) band.hw.radio.detach('central disconnected');
    else this.send({ type: 'disconnect', peripheralUuid: id });
  }

  // ---- GATT on a connected band ----
  private gatt(c: Command): void {
    const band = this.find(c);
    if (!band) return;
    const id = c.peripheralUuid as string;
    if (this.links.get(id) !== band) return this.fail(c, 'not-connected', `${c.action}: not connected to band ${id}`);
    const radio = band.hw.radio;
    if (c.action === 'updateRssi')
      return this.send({ type: 'rssiUpdate', peripheralUuid: id, rssi: -42 - 3 * band.index });
    if (c.action === 'discoverServices') {
      const want = c.uuids && c.uuids.length > 0 ? c.uuids : null;
      return this.send({
        type: 'servicesDiscover',
        peripheralUuid: id,
        serviceUuids: !want || want.includes(SERVICE_UUID) ? [SERVICE_UUID] : [],
      });
    }
    if (c.action === 'readHandle' || c.action === 'writeHandle') return this.handleOp(c, band);
    if (c.serviceUuid !== SERVICE_UUID)
      return this.fail(c, 'unknown-service', `no service ${c.serviceUuid ?? '(none)'} on the band`);
    if (c.action === 'discoverIncludedServices')
      return this.send({
        type: 'includedServicesDiscover',
        peripheralUuid: id,
        serviceUuid: SERVICE_UUID,
        includedServiceUuids: [],
      });
    if (c.action === 'discoverCharacteristics') {
      const want = c.characteristicUuids && c.characteristicUuids.length > 0 ? c.characteristicUuids : null;
      const characteristics = CHARACTERISTICS.filter((ch) => !want || want.includes(ch.uuid)).map((ch) => ({
        uuid: ch.uuid,
        properties: [...ch.properties],
      }));
      return this.send({
        type: 'characteristicsDiscover',
        peripheralUuid: id,
        serviceUuid: SERVICE_UUID,
        characteristics,
      });
    }
    const ch = c.characteristicUuid;
    if (ch !== CONTROL_UUID && ch !== STATUS_UUID && ch !== INFO_UUID)
      return this.fail(c, 'unknown-characteristic', `no characteristic ${ch ?? '(none)'} in the wristpay service`);
    const at = { peripheralUuid: id, serviceUuid: SERVICE_UUID, characteristicUuid: ch };
    switch (c.action) {
      case 'read':
        if (ch !== INFO_UUID)
          return this.fail(c, 'not-permitted', 'only the info characteristic can be read', { characteristicUuid: ch });
        return this.send({
          type: 'read',
          ...at,
          data: Buffer.from(radio.readInfo()).toString('hex'),
          isNotification: false,
        });
      case 'write':
        if (ch !== CONTROL_UUID)
          return this.fail(c, 'not-permitted', 'only the control point can be written', { characteristicUuid: ch });
        return this.write(c, band, () => this.send({ type: 'write', ...at }));
      case 'notify':
        if (ch !== STATUS_UUID)
          return this.fail(c, 'not-permitted', 'only the status characteristic notifies', { characteristicUuid: ch });
        radio.subscribe(c.notify === true);
        return this.send({ type: 'notify', ...at, state: c.notify === true });
      case 'discoverDescriptors':
        return this.send({ type: 'descriptorsDiscover', ...at, descriptors: ch === STATUS_UUID ? [CCCD_UUID] : [] });
      case 'readValue':
      case 'writeValue':
        return this.cccd(c, band, at);
      default:
        return this.fail(c, 'unknown-action', `${c.action} does not apply here`);
    }
  }

  /** Checks and sends one control-point write; `ack` runs once the band has it. */
  private write(c: Command, band: SimBand, ack: () => void): void {
    if (c.data === undefined) return this.fail(c, 'malformed', 'write needs data (hex)');
    if (c.withoutResponse === true)
      return this.fail(
        c,
        'not-permitted',
        'the control point takes write requests (withoutResponse false), not write commands',
      );
    const max = band.hw.link.config.mtu - 3;
    if (c.data.length > max)
      return this.fail(
        c,
        'oversize',
        `write of ${c.data.length} bytes exceeds ATT_MTU - 3 = ${max} (fragment with the link MTU)`,
      );
    band.hw.radio.write(c.data, ack);
  }

  private cccd(
    c: Command,
    band: SimBand,
    at: { peripheralUuid: string; serviceUuid: string; characteristicUuid: string },
  ): void {
    if (at.characteristicUuid !== STATUS_UUID || c.descriptorUuid !== CCCD_UUID)
      return this.fail(c, 'unknown-descriptor', `no descriptor ${c.descriptorUuid ?? '(none)'} here`);
    if (c.action === 'readValue')
      return this.send({
        type: 'valueRead',
        ...at,
        descriptorUuid: CCCD_UUID,
        data: band.hw.radio.notifying ? '0100' : '0000',
      });
    const on = this.cccdValue(c);
    if (on === null) return;
    band.hw.radio.subscribe(on);
    this.send({ type: 'valueWrite', ...at, descriptorUuid: CCCD_UUID });
  }

  private cccdValue(c: Command): boolean | null {
    const d = c.data;
    if (d === undefined || d.length !== 2 || d[1] !== 0 || (d[0] !== 0 && d[0] !== 1)) {
      this.fail(c, 'malformed', 'the CCCD takes 0100 (notify on) or 0000 (off)');
      return null;
    }
    return d[0] === 1;
  }

  private handleOp(c: Command, band: SimBand): void {
    const id = c.peripheralUuid as string;
    const h = c.handle;
    if (h === undefined) return this.fail(c, 'malformed', `${c.action} needs a handle`);
    if (c.action === 'readHandle') {
      if (h === Handle.INFO)
        return this.send({
          type: 'handleRead',
          peripheralUuid: id,
          handle: h,
          data: Buffer.from(band.hw.radio.readInfo()).toString('hex'),
        });
      if (h === Handle.STATUS_CCCD)
        return this.send({
          type: 'handleRead',
          peripheralUuid: id,
          handle: h,
          data: band.hw.radio.notifying ? '0100' : '0000',
        });
      return this.fail(
        c,
        h === Handle.CONTROL || h === Handle.STATUS ? 'not-permitted' : 'unknown-handle',
        `handle ${h} cannot be read`,
        { handle: h },
      );
    }
    if (h === Handle.CONTROL)
      return this.write(c, band, () => this.send({ type: 'handleWrite', peripheralUuid: id, handle: h }));
    if (h === Handle.STATUS_CCCD) {
      const on = this.cccdValue(c);
      if (on === null) return;
      band.hw.radio.subscribe(on);
      return this.send({ type: 'handleWrite', peripheralUuid: id, handle: h });
    }
    this.fail(
      c,
      h === Handle.INFO || h === Handle.STATUS ? 'not-permitted' : 'unknown-handle',
      `handle ${h} cannot be written`,
      { handle: h },
    );
  }
}
