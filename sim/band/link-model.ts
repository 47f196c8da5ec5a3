/**
 * The radio link between a central and one band, as it costs time on air.
 *
 * BLE moves data in connection events, one every connection interval (ci). Modelled: each
 * fragment (one GATT write or notification, at most ATT_MTU − 3 bytes) waits for the next
 * connection event; in one event each direction carries at most one fragment; a lost
 * fragment (probability `loss`) is retransmitted by the link layer at the following event,
 * so data is never lost to the application, only delayed. ci = 0 means no delay (the
 * default): fragments are delivered at once, losses are only counted.
 *
 * Counted per direction: payload bytes, fragments, connection events used (every attempt,
 * retransmissions included) and retransmissions; plus the connection events elapsed
 * while something was waiting. `up` is central → band (writes), `down` band → central.
 *
 * This is the conservative model (`model: 'single'`, the default). `model: 'spec'`
 * (spec-link-model.ts) is the Link Layer as the Core spec runs it: several PDUs per event
 * while More Data is set, the data length, the PHY's air time, the event length limit.
 */
import { Xorshift32 } from '../../firmware/testenv/seeded-random.ts';
import { MAX_MTU, MIN_MTU } from '../../shared/framing/fragment.ts';
import { MAX_LL_OCTETS, MIN_LL_OCTETS } from './ll-timing.ts';

export interface LinkConfig {
  /** Connection interval in ms; 0 = no delay. Real links use 7.5..4000. */
  ciMs: number;
  /** ATT MTU (23..517); fragments are at most mtu − 3 bytes. */
  mtu: number;
  /** Probability that a transmission is lost and repeated at the next event (0 ≤ loss ≤ 0.9). */
  loss: number;
  /** Seed for the loss draws (default: random). */
  seed?: number;
  /** 'single': one fragment per direction per event (default); 'spec': spec-link-model.ts. */
  model?: LinkModelName;
  /** The spec model's PHY: LE 1M or LE 2M (default 2). */
  phy?: 1 | 2;
  /** The spec model's data length: largest LL payload, 27..251 octets (default 251). */
  octets?: number;
  /** The spec model's controller maximum connection event length in ms; 0 = the interval (default). */
  ceMs?: number;
}

export type LinkModelName = 'single' | 'spec';
export const LINK_MODELS: readonly LinkModelName[] = ['single', 'spec'];

export const DEFAULT_LINK: LinkConfig = { ciMs: 0, mtu: 185, loss: 0 };

export type Direction = 'up' | 'down';

export interface DirectionCounters {
  bytes: number;
  fragments: number;
  /** Connection events in which this direction transmitted (including lost attempts). */
  events: number;
  retransmissions: number;
  /** The spec model only: LL data PDUs sent (every attempt) and their payload octets (L2CAP and ATT headers included). */
  pdus?: number;
  octets?: number;
}

export interface LinkCounters {
  up: DirectionCounters;
  down: DirectionCounters;
  /** Connection events that carried anything (ci > 0 only). */
  connectionEvents: number;
}

/**
 * Parses `ci=15,mtu=185,loss=0.05` (loss also as `5%`), and the model: `model=spec,phy=2,dle=251,ce=7.5`;
 * unspecified keys keep their defaults.
 */
export function parseLinkSpec(spec: string | undefined, base: LinkConfig = DEFAULT_LINK): LinkConfig {
  const out: LinkConfig = { ...base };
  if (spec === undefined || spec.trim() === '') return checkLink(out);
  for (const part of spec.split(',')) {
    const model = /^\s*model\s*=\s*(single|spec)\s*$/.exec(part);
    if (model) {
      out.model = model[1] as LinkModelName;
      continue;
    }
    const m = /^\s*(ci|mtu|loss|seed|phy|dle|ce)\s*=\s*([0-9.]+)(%?)\s*$/.exec(part);
    if (!m)
      throw new Error(
        `--link: cannot read "${part}" (expected ci=MS, mtu=N, loss=P, model=single|spec, phy=1|2, dle=N, ce=MS, e.g. ci=15,mtu=185,loss=0.02)`,
      );
    const v = Number(m[2]) / (m[3] === '%' ? 100 : 1);
    if (!Number.isFinite(v)) throw new Error(`--link: ${m[1]} is not a number`);
    if (m[1] === 'ci') out.ciMs = v;
    else if (m[1] === 'mtu') out.mtu = v;
    else if (m[1] === 'loss') out.loss = v;
    else if (m[1] === 'phy') out.phy = v as 1 | 2;
    else if (m[1] === 'dle') out.octets = v;
    else if (m[1] === 'ce') out.ceMs = v;
    else out.seed = v;
  }
  return checkLink(out);
}

export function checkLink(c: LinkConfig): LinkConfig {
  if (!(c.ciMs >= 0 && c.ciMs <= 4000)) throw new Error(`link: ci must be 0..4000 ms, got ${c.ciMs}`);
  if (!Number.isInteger(c.mtu) || c.mtu < MIN_MTU || c.mtu > MAX_MTU)
    throw new Error(`link: mtu must be an integer in ${MIN_MTU}..${MAX_MTU}, got ${c.mtu}`);
  if (!(c.loss >= 0 && c.loss <= 0.9)) throw new Error(`link: loss must be 0..0.9 (a probability), got ${c.loss}`);
  if (c.model !== undefined && !LINK_MODELS.includes(c.model))
    throw new Error(`link: model must be single or spec, got ${String(c.model)}`);
  if (c.phy !== undefined && c.phy !== 1 && c.phy !== 2) throw new Error(`link: phy must be 1 or 2, got ${c.phy}`);
  // Core Vol 6 Part B §4.5.10: connMaxTxOctets is 27..251.
  if (c.octets !== undefined && !(Number.isInteger(c.octets) && c.octets >= MIN_LL_OCTETS && c.octets <= MAX_LL_OCTETS))
    throw new Error(`link: dle must be an integer in ${MIN_LL_OCTETS}..${MAX_LL_OCTETS} octets, got ${c.octets}`);
  if (c.ceMs !== undefined && !(c.ceMs >= 0 && c.ceMs <= 4000))
    throw new Error(`link: ce must be 0..4000 ms, got ${c.ceMs}`);
  return c;
}

const zero = (): DirectionCounters => ({ bytes: 0, fragments: 0, events: 0, retransmissions: 0 });

/** One fragment (an L2CAP frame on the spec model) waiting for the air. */
export interface Pending {
  /** The payload the counters call bytes (a GATT value over the websocket radio, an ACL packet over HCI). */
  bytes: number;
  /** Octets the link carries besides: the L2CAP and ATT headers around a GATT value. */
  header: number;
  /** Octets of it already across (the spec model splits frames into PDUs). */
  sent: number;
  deliver: () => void;
}

export class LinkModel {
  readonly config: LinkConfig;
  protected readonly rng: Xorshift32;
  protected readonly queues: Record<Direction, Pending[]> = { up: [], down: [] };
  protected counts: LinkCounters = { up: zero(), down: zero(), connectionEvents: 0 };
  private anchor = 0;
  protected lastEvent = 0;
  protected timer: NodeJS.Timeout | null = null;
  protected open = false;

  constructor(
    config: LinkConfig,
    private readonly onError: (err: unknown) => void = (e) => console.error('link: delivery threw', e),
  ) {
    this.config = checkLink({ ...config });
    this.rng = new Xorshift32(config.seed ?? (Math.random() * 0x100000000) >>> 0);
  }

  /** A connection starts: connection events are counted from now. */
  connect(): void {
    this.close();
    this.open = true;
    this.anchor = performance.now();
    this.lastEvent = 0;
  }

  /** The connection ends: anything still queued is gone with it. */
  close(): void {
    this.open = false;
    this.queues.up.length = 0;
    this.queues.down.length = 0;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  get connected(): boolean {
    return this.open;
  }

  /**
   * Whether ATT responses (a write's Write Response) cross the link as PDUs of their own:
   * the spec model's; this one acknowledges a write when it crossed.
   */
  readonly responsesOnAir: boolean = false;

  /**
   * Queues one fragment of `bytes` (and `header` octets of L2CAP and ATT around it, which
   * only the spec model carries); `deliver` runs when it has crossed the link (never, if the
   * link closes first).
   */
  send(dir: Direction, bytes: number, deliver: () => void, header = 0): void {
    if (!this.open) return;
    if (this.config.ciMs === 0) {
      const c = this.counts[dir];
      while (this.lost()) {
        c.events++;
        c.retransmissions++;
      }
      c.events++;
      c.fragments++;
      c.bytes += bytes;
      this.run(deliver);
      return;
    }
    this.queues[dir].push({ bytes, header, sent: 0, deliver });
    this.schedule();
  }

  /** Fragments waiting in a direction. */
  pending(dir: Direction): number {
    return this.queues[dir].length;
  }

  counters(): LinkCounters {
    return { up: { ...this.counts.up }, down: { ...this.counts.down }, connectionEvents: this.counts.connectionEvents };
  }

  resetCounters(): void {
    this.counts = { up: zero(), down: zero(), connectionEvents: 0 };
  }

  protected lost(): boolean {
    return this.config.loss > 0 && this.rng.next() / 0x100000000 < this.config.loss;
  }

  protected schedule(): void {
    if (this.timer !== null || !this.open) return;
    const ci = this.config.ciMs;
    const now = performance.now();
    // Event k happens at anchor + k·ci. Node timers may fire a little early, so the event
    // count, not the clock, decides that the same event never comes round twice.
    const k = Math.max(this.lastEvent + 1, Math.floor((now - this.anchor) / ci) + 1);
    this.timer = setTimeout(
      () => {
        this.lastEvent = k;
        this.event();
      },
      Math.max(0, this.anchor + k * ci - now),
    );
  }

  /** One connection event: at most one fragment each way; heads are taken before anything is delivered. */
  protected event(): void {
    this.timer = null;
    if (!this.open) return;
    const heads: [Direction, Pending][] = [];
    for (const dir of ['up', 'down'] as const) if (this.queues[dir].length > 0) heads.push([dir, this.queues[dir][0]]);
    if (heads.length > 0) this.counts.connectionEvents++;
    for (const [dir, p] of heads) {
      const c = this.counts[dir];
      if (this.queues[dir][0] !== p) continue; // the link was reset by an earlier delivery
      c.events++;
      if (this.lost()) {
        c.retransmissions++;
        continue;
      }
      this.queues[dir].shift();
      c.fragments++;
      c.bytes += p.bytes;
      this.run(p.deliver);
      if (!this.open) return;
    }
    if (this.queues.up.length > 0 || this.queues.down.length > 0) this.schedule();
  }

  protected run(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.onError(err);
    }
  }
}
