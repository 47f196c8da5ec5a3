/**
 * Drives a band booted on the test environment, as a bridge would: writes frames to the
 * control point, reassembles notifications and decodes them (./frame-link.ts). The band
 * is either the firmware in-process (`BandDriver`, `bootBand`) or any other boot of the
 * same HAL that offers `status()`, such as the real image in QuickJS (./quickjs-band.ts):
 * `EngineBandDriver` takes the boot function. A test helper only; the end-to-end suite
 * uses the real bridge over noble.
 */
import { bootBand, type BandStatus, type BootedBand } from '../../firmware/boot.ts';
import type { BandConfig } from '../../firmware/config.ts';
import type { Hal } from '../../firmware/hal.ts';
import { createTestEnv, type TestEnv, type TestEnvOptions } from '../../firmware/testenv/test-env.ts';
import { FrameCommand } from '../../shared/framing/commands.ts';
import type { Message } from '../../shared/messages/clear.ts';
import { FrameLink, type MessageOf, type Received } from './frame-link.ts';

export type { Received } from './frame-link.ts';

/** What a driver needs of a booted band, whatever runs it. */
export interface BandHandle {
  status(): BandStatus;
  /** Called when the driver reboots the band (a QuickJS band frees its runtime). */
  dispose?(): void;
}

/** Boots a band on `hal` (it registers its radio, sensor and timer callbacks there). */
export type BootFn<B extends BandHandle> = (hal: Hal, config?: Partial<BandConfig>) => B;

export type DriverOptions = TestEnvOptions & { config?: Partial<BandConfig> };

export class EngineBandDriver<B extends BandHandle> {
  readonly env: TestEnv;
  booted: B;
  readonly link: FrameLink;

  constructor(
    private readonly boot: BootFn<B>,
    opts: DriverOptions = {},
    readonly mtu = 185,
  ) {
    this.env = createTestEnv(opts);
    this.booted = boot(this.env.hal, opts.config);
    this.link = new FrameLink(this.env.radio, mtu);
    this.env.radio.connect(mtu);
  }

  status(): BandStatus {
    return this.booted.status();
  }

  /** Reboot on the same flash and secure element: RAM state (the session) is lost. */
  reboot(config?: Partial<BandConfig>): void {
    this.env.radio.disconnect();
    this.booted.dispose?.();
    this.booted = this.boot(this.env.hal, config);
    this.link.skipPending();
    this.env.radio.connect(this.mtu);
  }

  /** The band's wall clock (ms). */
  now(): number {
    return this.env.clock.wallMs();
  }

  /** Moves virtual time; due band timers (keep-alives, debounce, time-outs) fire. */
  advance(ms: number): void {
    this.env.clock.advance(ms);
  }

  press(): void {
    this.env.button.press();
  }

  putOn(): void {
    this.env.wear.sample(true);
  }

  /** Sensor off, then past the 1.5 s removal debounce. */
  takeOff(): void {
    this.env.wear.sample(false);
    this.env.clock.advance(2000);
  }

  writeRaw(bytes: Uint8Array): void {
    this.link.writeRaw(bytes);
  }

  send(m: Message): void {
    this.link.send(m);
  }

  sendBytes(payload: Uint8Array, cmd: number = FrameCommand.MSG): void {
    this.link.sendBytes(payload, cmd);
  }

  /** Every complete frame notified since the last call. */
  received(): Received[] {
    return this.link.received();
  }

  /** The last message of the given type received since the last call (throws if none). */
  expect<T extends Message['type']>(type: T): MessageOf<T> {
    return this.link.expect(type);
  }
}

/** The firmware run in-process from TypeScript. */
export class BandDriver extends EngineBandDriver<BootedBand> {
  constructor(opts: DriverOptions = {}, mtu = 185) {
    super(bootBand, opts, mtu);
  }

  get band() {
    return this.booted.band;
  }
}
