/**
 * The JSON snapshot of one simulated band: what `sim status --json`, the control API and
 * the web UI show. SimBand.status() builds it from the band's hardware and the firmware's
 * own `wristpay.status()` (whose shape is firmware/boot.ts BandStatus for the real image).
 */
import type { FlashStats } from '../../firmware/testenv/flash-emulator.ts';
import type { LinkCounters, LinkModelName } from './link-model.ts';

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
  /** Percent charged, as the band's fuel gauge reads it. */
  battery: number;
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
  link: LinkCounters & {
    connected: boolean;
    notifying: boolean;
    mtu: number;
    ciMs: number;
    loss: number;
    /** Which link model times the air: 'single' (one fragment per event) or 'spec'. */
    model: LinkModelName;
    droppedNotifications: number;
  };
  flash: FlashStats & { pageSize: number; pageCount: number; powered: boolean };
  /** wristpay.status() as the firmware returned it (null when not running). */
  firmwareStatus: unknown;
}

/** The cards in the firmware's status, as far as it reports them. */
export function cardsOf(fw: unknown): CardView[] {
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
