/**
 * One simulated band's hardware, which outlives engine resets: identity (serial, flash geometry), secure element
 * and flash (persisted in DIR/band-K), wear sensor, charger, button, haptics, display,
 * radio and its link, and a bounded log. `halFor(clock)` assembles the HAL handed to a
 * fresh engine at each boot (a reset restarts the clock; the peripherals keep their state,
 * as on a real board).
 */
import type { Hal } from '../../firmware/hal.ts';
import { softAead, softHash } from '../../firmware/testenv/test-env.ts';
import { ButtonEmu, ChargerEmu, DisplayEmu, HapticsEmu, WearSensorEmu } from '../../firmware/testenv/sensors.ts';
import { BandRadio, type RadioFrame } from './band-radio.ts';
import type { LinkConfig, LinkModel } from './link-model.ts';
import { PersistentFlash } from './persistent-flash.ts';
import { createLinkModel } from './spec-link-model.ts';
import { PersistentSecureElement, cryptoRandom } from './persistent-se.ts';
import type { RealClock } from './real-clock.ts';
import { bandPaths, loadOrCreateIdentity, peripheralIdOf, type BandIdentity } from './state-dir.ts';

export interface LogLine {
  at: number;
  /** 'band': the firmware's hal.log; 'sim': the simulator about this band. */
  source: 'band' | 'sim';
  text: string;
}

export interface HardwareEvents {
  frame(f: RadioFrame): void;
  log(l: LogLine): void;
  /** Something a person would see changed (display, sensors, haptics). */
  change(): void;
  /** An injected power cut fired during a flash operation. */
  powerCut(): void;
}

const KEEP = 200;
function bounded<T>(list: T[], item: T): void {
  list.push(item);
  if (list.length > KEEP) list.splice(0, list.length - KEEP);
}

export class BandHardware {
  readonly identity: BandIdentity;
  readonly created: boolean;
  readonly se: PersistentSecureElement;
  readonly flash: PersistentFlash;
  readonly wear: WearSensorEmu;
  readonly charger = new ChargerEmu();
  readonly button = new ButtonEmu();
  readonly haptics: HapticsEmu;
  readonly display: DisplayEmu;
  readonly link: LinkModel;
  readonly radio: BandRadio;
  readonly frames: RadioFrame[] = [];
  readonly logs: LogLine[] = [];
  private clock: RealClock | null = null;

  /** `addressRotationMs`: the radio's private-address lifetime (default 15 min; tests shorten it). */
  constructor(
    stateDir: string,
    readonly index: number,
    link: LinkConfig,
    private readonly events: HardwareEvents,
    addressRotationMs?: number,
  ) {
    const paths = bandPaths(stateDir, index);
    const { identity, created } = loadOrCreateIdentity(stateDir, index);
    this.identity = identity;
    this.created = created;
    this.se = new PersistentSecureElement(paths.secureElement);
    this.flash = new PersistentFlash(paths.flash, identity.flash, () => events.powerCut());
    const now = { monotonicMs: () => (this.clock ? this.clock.monotonicMs() : 0) };
    this.wear = new WearSensorEmu(now);
    // A simulated band has a fuel gauge (the test environment's has none): full until set.
    this.charger.battery = 100;
    this.haptics = new HapticsEmu(now);
    this.display = new DisplayEmu(4, 16, now);
    this.link = createLinkModel(link, (err) => this.log('sim', `link delivery failed: ${String(err)}`));
    this.radio = new BandRadio(
      this.link,
      (f) => {
        bounded(this.frames, f);
        events.frame(f);
      },
      addressRotationMs,
    );
  }

  /** noble's peripheral id for the address advertised now: it changes with every new address. */
  get peripheralId(): string {
    return peripheralIdOf(this.radio.address);
  }

  /** The HAL for one boot of the engine, on `clock`. */
  halFor(clock: RealClock): Hal {
    this.clock = clock;
    const { display, haptics } = this;
    return {
      clock,
      random: cryptoRandom,
      se: this.se,
      hash: softHash,
      aead: softAead,
      flash: this.flash,
      wear: this.wear,
      charger: this.charger,
      button: this.button,
      haptics: {
        buzz: (ms: number) => {
          haptics.buzz(ms);
          if (haptics.buzzes.length > KEEP) haptics.buzzes.splice(0, haptics.buzzes.length - KEEP);
          this.events.change();
        },
      },
      display: {
        lines: display.lines,
        columns: display.columns,
        show: (lines: string[]) => {
          display.show(lines);
          if (display.history.length > KEEP) display.history.splice(0, display.history.length - KEEP);
          this.events.change();
        },
      },
      radio: this.radio,
      log: { log: (m: string) => this.log('band', String(m)) },
    };
  }

  /** Raw wear-sensor sample (the firmware debounces removals). */
  setWorn(on: boolean): void {
    this.wear.sample(on);
    if (this.wear.samples.length > KEEP) this.wear.samples.splice(0, this.wear.samples.length - KEEP);
    this.events.change();
  }

  setCharging(on: boolean): void {
    this.charger.set(on);
    this.events.change();
  }

  setBattery(percent: number): void {
    this.charger.battery = percent;
    this.events.change();
  }

  press(): void {
    this.button.press();
    this.events.change();
  }

  log(source: LogLine['source'], text: string): void {
    const line = { at: Date.now(), source, text };
    bounded(this.logs, line);
    this.events.log(line);
  }

  /** Link down, flash file flushed and closed. */
  close(): void {
    this.radio.detach('simulator stopped');
    this.radio.stop();
    this.link.close();
    this.flash.close();
  }
}
