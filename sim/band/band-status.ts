/**
 * The JSON snapshot of one simulated band: what `sim status --json`, the control API and
 * the web UI show. Built from the band's hardware and the firmware's own
 * `wristpay.status()` (whose shape is firmware/boot.ts BandStatus for the real image).
 */
import type { FlashStats } from '../../firmware/testenv/flash-emulator.ts';
import type { LinkCounters } from './link-model.ts';
import type { SimBand } from './sim-band.ts';

export interface CardView {
  kind: string;
  issuer: string;
  last4: string;
  isDefault?: boolean;
  city?: string;
  balance?: number;
}

export interface SimBandStatus {
  band: number;
  serial: string;
  /** The resolvable private address advertised now (it rotates: docs/PROTOCOL.md §7). */
  address: string;
  /** noble's peripheral id for that address (the address without colons): it rotates with it. */
  peripheralId: string;
  running: boolean;
  /** Why the band stopped retrying (boot loop), or null. */
  halted: string | null;
  firmware: { format: string; version: string | null; signed: boolean; devKey: boolean };
  /** Wear-sensor contact as the sensor reports it (raw, before the firmware's debounce). */
  worn: boolean;
  charging: boolean;
  /** The firmware's wear state ('off-wrist', 'worn-locked', …) when it reports one. */
  state: string | null;
  enrolled: boolean | null;
  display: string[];
  cards: CardView[];
  buttonPresses: number;
  lastBuzz: { at: number; ms: number } | null;
  heap: { used: number | null; baseline: number | null; peak: number };
  resets: number;
  lastReset: { at: number; reason: string } | null;
  faults: string[];
  link: LinkCounters & { connected: boolean; notifying: boolean; mtu: number; ciMs: number; loss: number; droppedNotifications: number };
  flash: FlashStats & { pageSize: number; pageCount: number; powered: boolean };
  /** wristpay.status() as the firmware returned it (null when not running). */
  firmwareStatus: unknown;
}

function cardsOf(fw: unknown): CardView[] {
  const cards = (fw as { cards?: unknown } | null)?.cards;
  if (!Array.isArray(cards)) return [];
  return cards.map((c: Record<string, unknown>) => {
    const v: CardView = { kind: String(c.kind ?? ''), issuer: String(c.issuer ?? ''), last4: String(c.last4 ?? '') };
    if (typeof c.isDefault === 'boolean') v.isDefault = c.isDefault;
    if (typeof c.city === 'string') v.city = c.city;
    if (typeof c.balance === 'number') v.balance = c.balance;
    return v;
  });
}

export function buildStatus(band: SimBand, firmwareStatus: unknown, heap: SimBandStatus['heap'], halted: string | null): SimBandStatus {
  const hw = band.hw;
  const fw = firmwareStatus as { state?: unknown; enrolled?: unknown } | null;
  const meta = band.firmware;
  const buzz = hw.haptics.buzzes[hw.haptics.buzzes.length - 1];
  const last = band.resets[band.resets.length - 1];
  return {
    band: band.index,
    serial: band.serial,
    address: band.address,
    peripheralId: band.peripheralId,
    running: band.running,
    halted,
    firmware: { format: meta.format, version: meta.firmwareVersion, signed: meta.signed, devKey: meta.devKey },
    worn: hw.wear.current(),
    charging: hw.charger.isCharging(),
    state: fw && typeof fw.state === 'string' ? fw.state : null,
    enrolled: fw && typeof fw.enrolled === 'boolean' ? fw.enrolled : null,
    display: hw.display.current.slice(),
    cards: cardsOf(firmwareStatus),
    buttonPresses: hw.button.presses,
    lastBuzz: buzz ? { at: buzz.atMs, ms: buzz.ms } : null,
    heap,
    resets: band.resetCount,
    lastReset: last ? { ...last } : null,
    faults: band.faults.slice(-5),
    link: {
      ...hw.link.counters(),
      connected: hw.radio.connected,
      notifying: hw.radio.notifying,
      mtu: hw.link.config.mtu,
      ciMs: hw.link.config.ciMs,
      loss: hw.link.config.loss,
      droppedNotifications: hw.radio.dropped,
    },
    flash: { ...hw.flash.stats(), pageSize: hw.flash.pageSize, pageCount: hw.flash.pageCount, powered: hw.flash.isPowered },
    firmwareStatus,
  };
}
