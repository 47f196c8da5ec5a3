/**
 * One simulated band: its hardware (band-hardware.ts) and the firmware image running in
 * its own QuickJS runtime. A guest fault (an exception out of an event, or the watchdog
 * stopping an event that ran past its budget) or an injected power cut resets the band
 * like a real MCU: the engine is disposed, the radio link drops, the image boots again
 * from flash (RAM state such as the wear session is lost; flash and keys are intact).
 */
import { EventEmitter } from 'node:events';
import { bootInQuickJS, type GuestFault, type QuickJSBand } from '../engine/quickjs-host.ts';
import type { RadioFrame } from './band-radio.ts';
import { BandHardware, type LogLine } from './band-hardware.ts';
import type { FirmwareMeta } from './firmware-store.ts';
import type { LinkConfig } from './link-model.ts';
import { RealClock } from './real-clock.ts';
import { type SimBandStatus, cardsOf } from './band-status.ts';

export interface SimBandOptions {
  stateDir: string;
  /** 1-based; state in DIR/band-K. */
  index: number;
  code: string;
  firmware: FirmwareMeta;
  link: LinkConfig;
  /** Overrides of firmware/config.ts (the guest's `wristpayConfig`). */
  firmwareConfig?: Record<string, unknown>;
  /** Watchdog budget in QuickJS interrupt polls per event (quickjs-host default 3000, about 2 s). */
  interruptBudget?: number;
  /** Longest life of one private radio address (default 15 min, band-radio.ts). */
  addressRotationMs?: number;
}

export interface ResetRecord {
  at: number;
  reason: string;
}

/** Boot faults in a row before the band stops trying (a boot loop); `reboot()` tries again. */
const MAX_BOOT_FAULTS = 3;
/** More resets than this within RESET_WINDOW_MS halts the band too. */
const MAX_RESETS_IN_WINDOW = 8;
const RESET_WINDOW_MS = 10_000;

/**
 * Events: 'frame' (RadioFrame), 'log' (LogLine), 'change' (anything visible changed),
 * 'reset' (ResetRecord), 'booted', 'halted' (reason).
 */
export class SimBand extends EventEmitter {
  readonly index: number;
  readonly hw: BandHardware;
  /** The last 100 resets, oldest first. */
  readonly resets: ResetRecord[] = [];
  /** Resets since the simulator started. */
  resetCount = 0;
  private loopWindowFrom = 0;
  readonly faults: string[] = [];
  private engine: QuickJSBand | null = null;
  private clock: RealClock | null = null;
  private pendingReset: string | null = null;
  private bootFaults = 0;
  private halted: string | null = null;
  private stopped = false;
  private heapPeak = 0;
  private heapSampleQueued = false;

  constructor(private readonly opts: SimBandOptions) {
    super();
    this.index = opts.index;
    this.hw = new BandHardware(
      opts.stateDir,
      opts.index,
      opts.link,
      {
        frame: (f: RadioFrame) => {
          this.sampleHeapSoon();
          this.emit('frame', f);
        },
        log: (l: LogLine) => this.emit('log', l),
        change: () => this.emit('change'),
        powerCut: () => this.scheduleReset('power cut during a flash operation'),
      },
      opts.addressRotationMs,
    );
  }

  /** The resolvable private address advertised now (it rotates: never keep it). */
  get address(): string {
    return this.hw.radio.address;
  }
  get serial(): string {
    return this.hw.identity.serial;
  }
  /** noble's id for the current address: it changes with the address. */
  get peripheralId(): string {
    return this.hw.peripheralId;
  }
  /** True while firmware runs (booted, not halted, not stopped): only then does the band advertise. */
  get running(): boolean {
    return this.engine?.booted === true && !this.engine.disposed && this.halted === null && !this.stopped;
  }
  get firmware(): FirmwareMeta {
    return this.opts.firmware;
  }

  /** Boots the image (first start, or after a reset). */
  boot(): void {
    if (this.stopped || this.engine !== null) return;
    const clock = new RealClock((err) => this.hw.log('sim', `timer callback threw: ${String(err)}`));
    this.clock = clock;
    this.engine = bootInQuickJS(this.opts.code, this.hw.halFor(clock), {
      interruptBudget: this.opts.interruptBudget,
      config: this.opts.firmwareConfig,
      filename: `band-${this.index}.js`,
      onFault: (f) => this.onFault(f),
    });
    if (this.engine.booted) {
      this.bootFaults = 0;
      this.sampleHeap();
      this.hw.log(
        'sim',
        `booted (${this.opts.firmware.signed ? 'signed' : 'UNSIGNED'} firmware ${this.opts.firmware.firmwareVersion ?? this.opts.firmware.format}, heap ${this.engine.memoryUsed()} bytes)`,
      );
      this.emit('booted');
    } else if (++this.bootFaults >= MAX_BOOT_FAULTS) {
      this.pendingReset = null;
      this.halt(`firmware failed to boot ${this.bootFaults} times in a row`);
    }
    this.emit('change');
  }

  /** Resets now (like the reset pin): engine disposed, link dropped, boot again from flash. */
  reset(reason: string): void {
    if (this.stopped) return;
    this.pendingReset = null;
    this.shutdownEngine(`band reset: ${reason}`);
    this.hw.flash.restorePower();
    const at = Date.now();
    this.resets.push({ at, reason });
    this.resetCount++;
    if (this.resets.length > 100) this.resets.splice(0, this.resets.length - 100);
    this.hw.log('sim', `reset: ${reason}`);
    this.emit('reset', { at, reason });
    const recent = this.resets.filter((r) => at - r.at < RESET_WINDOW_MS && r.at >= this.loopWindowFrom).length;
    if (recent > MAX_RESETS_IN_WINDOW)
      return this.halt(`${recent} resets within ${RESET_WINDOW_MS / 1000} s (boot loop)`);
    this.boot();
  }

  /** A manual reboot also clears a halt. */
  reboot(): void {
    this.halted = null;
    this.bootFaults = 0;
    this.loopWindowFrom = Date.now();
    this.reset('reboot requested');
  }

  setWorn(on: boolean): void {
    this.hw.setWorn(on);
  }
  setCharging(on: boolean): void {
    this.hw.setCharging(on);
  }
  setBattery(percent: number): void {
    this.hw.setBattery(percent);
  }
  press(): void {
    this.hw.press();
  }
  /** Arms a power cut at the n-th next flash program/erase; the band then resets. */
  powerCutAfter(n: number): void {
    this.hw.flash.powerCutAfter(n);
    this.hw.log('sim', `power cut armed at the ${n}. next flash operation`);
  }

  status(): SimBandStatus {
    let firmware: unknown = null;
    if (this.running && this.engine !== null) {
      try {
        firmware = JSON.parse(this.engine.evalStatus());
      } catch {
        firmware = null; // a fault was reported through onFault; the band resets
      }
    }
    this.sampleHeap();
    return this.snapshot(firmware, {
      used: this.running && this.engine ? this.engine.memoryUsed() : null,
      baseline: this.engine ? this.engine.memoryBaseline : null,
      peak: this.heapPeak,
    });
  }

  private snapshot(firmwareStatus: unknown, heap: SimBandStatus['heap']): SimBandStatus {
    const hw = this.hw;
    const fw = firmwareStatus as { state?: unknown; enrolled?: unknown } | null;
    const meta = this.firmware;
    const buzz = hw.haptics.buzzes[hw.haptics.buzzes.length - 1];
    const last = this.resets[this.resets.length - 1];
    return {
      band: this.index,
      serial: this.serial,
      address: this.address,
      peripheralId: this.peripheralId,
      running: this.running,
      halted: this.halted,
      firmware: { format: meta.format, version: meta.firmwareVersion, signed: meta.signed, devKey: meta.devKey },
      worn: hw.wear.current(),
      charging: hw.charger.isCharging(),
      battery: hw.charger.batteryPercent(),
      state: fw && typeof fw.state === 'string' ? fw.state : null,
      enrolled: fw && typeof fw.enrolled === 'boolean' ? fw.enrolled : null,
      display: hw.display.current.slice(),
      cards: cardsOf(firmwareStatus),
      buttonPresses: hw.button.presses,
      lastBuzz: buzz ? { at: buzz.atMs, ms: buzz.ms } : null,
      heap,
      resets: this.resetCount,
      lastReset: last ? { ...last } : null,
      faults: this.faults.slice(-5),
      link: {
        ...hw.link.counters(),
        connected: hw.radio.connected,
        notifying: hw.radio.notifying,
        mtu: hw.link.config.mtu,
        ciMs: hw.link.config.ciMs,
        model: hw.link.config.model ?? 'single',
        loss: hw.link.config.loss,
        droppedNotifications: hw.radio.dropped,
      },
      flash: {
        ...hw.flash.stats(),
        pageSize: hw.flash.pageSize,
        pageCount: hw.flash.pageCount,
        powered: hw.flash.isPowered,
      },
      firmwareStatus,
    };
  }

  /** Stops for good: link down, engine disposed, flash flushed. */
  stop(): void {
    if (this.stopped) return;
    this.shutdownEngine('simulator stopped');
    this.stopped = true;
    this.hw.close();
  }

  private onFault(f: GuestFault): void {
    const text = `${f.message}${f.guestStack ? ' | ' + f.guestStack.split('\n').slice(0, 3).join(' | ') : ''}`;
    this.faults.push(`${new Date().toISOString()} ${text}`);
    if (this.faults.length > 20) this.faults.splice(0, this.faults.length - 20);
    this.hw.log('sim', `fault: ${text}`);
    this.scheduleReset(`${f.kind} in ${f.where}`);
  }

  /** Faults arrive inside a guest event; the reset happens once it has unwound. */
  private scheduleReset(reason: string): void {
    if (this.pendingReset !== null || this.stopped || this.halted !== null) return;
    this.pendingReset = reason;
    const delay = this.bootFaults > 0 ? 250 * this.bootFaults : 0;
    setTimeout(() => {
      if (this.pendingReset !== null) this.reset(this.pendingReset);
    }, delay);
  }

  private halt(reason: string): void {
    this.shutdownEngine(`band halted: ${reason}`);
    this.halted = reason;
    this.hw.log('sim', `halted: ${reason} (\`wristpay sim reboot\` tries again)`);
    this.emit('halted', reason);
    this.emit('change');
  }

  private shutdownEngine(reason: string): void {
    this.hw.radio.detach(reason);
    if (this.engine !== null) this.engine.dispose();
    this.engine = null;
    this.clock?.cancelAll();
    this.clock = null;
    this.hw.radio.clearListeners();
  }

  /** Frames arrive while guest code runs; measure the heap once it has returned. */
  private sampleHeapSoon(): void {
    if (this.heapSampleQueued) return;
    this.heapSampleQueued = true;
    setImmediate(() => {
      this.heapSampleQueued = false;
      this.sampleHeap();
    });
  }

  private sampleHeap(): void {
    if (this.engine !== null && !this.engine.disposed)
      this.heapPeak = Math.max(this.heapPeak, this.engine.memoryUsed());
  }
}
