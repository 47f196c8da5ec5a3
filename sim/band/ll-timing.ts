/**
 * One connection event as the Link Layer runs it (Bluetooth Core Vol 6 Part B), computed
 * from the spec's numbers alone so that tests can check it by hand:
 *
 *  - a packet on the air (§2.1, §2.4): preamble (1 octet on LE 1M, 2 on LE 2M), access
 *    address 4, PDU header 2, payload, CRC 3; no MIC (the link is not encrypted: the band's
 *    payloads are sealed end to end, docs/PROTOCOL.md). LE 1M sends 1 Mbit/s, 8 µs an octet;
 *    LE 2M 2 Mbit/s, 4 µs an octet. An empty PDU is the same packet with no payload.
 *  - packets in an event alternate central → peripheral → central …, T_IFS = 150 µs apart
 *    (§4.1.1); the central opens each exchange, the peripheral answers it.
 *  - the event goes on while either side's More Data bit is set (§4.5.6): here, while either
 *    side still has data that was queued when the event began (what a host queues during the
 *    event waits for the next one: a host answers in milliseconds, T_IFS is 150 µs).
 *  - the data length (§4.5.10): a PDU carries at most `maxOctets` (27 without the Data Length
 *    Update procedure, up to 251 after LL_LENGTH_REQ/RSP); a longer L2CAP frame is split.
 *  - the event length: an exchange starts only if it ends, with the longest answer the peer
 *    may send, T_IFS before the event's budget (min of the interval and the controller's
 *    maximum CE length), so the event closes in time for the next anchor point (§4.5.1).
 *  - a lost packet (the peer heard nothing or a bad CRC) ends the event; the Link Layer sends
 *    the PDU again at the next one (acknowledgement by SN/NESN, §4.5.9).
 */
export type Phy = 1 | 2;
/** `up` central → band, `down` band → central (as link-model.ts). */
type Direction = 'up' | 'down';

/** T_IFS, the inter frame space (Core Vol 6 Part B §4.1.1). */
const T_IFS_US = 150;
/** The largest and smallest LL data payloads (Core Vol 6 Part B §4.5.10). */
export const MAX_LL_OCTETS = 251;
export const MIN_LL_OCTETS = 27;

/** Air time of one data channel packet carrying `octets` of payload, unencrypted (§2.1, §2.4). */
export function packetAirUs(octets: number, phy: Phy): number {
  const preamble = phy === 2 ? 2 : 1;
  const total = preamble + 4 + 2 + octets + 3;
  return total * (phy === 2 ? 4 : 8);
}

export interface EventLimits {
  phy: Phy;
  /** Largest LL payload each side may send (the negotiated data length). */
  maxOctets: number;
  /** min(connection interval, max CE length) in µs. */
  budgetUs: number;
}

/** One data PDU sent in the event: its payload octets, when it ends on the air, and whether the peer got it. */
export interface PduSent {
  dir: Direction;
  octets: number;
  endUs: number;
  lost: boolean;
}

export interface EventPlan {
  pdus: PduSent[];
  /** Packet exchanges (central packet + peripheral answer), empty PDUs included. */
  exchanges: number;
  /** When the event's last packet ends. */
  endUs: number;
}

/**
 * Plays one connection event: `queued` holds, per direction, the octets still to send of each
 * L2CAP frame in order (taken, not changed). `lost` is asked once per data PDU.
 */
export function planEvent(queued: Record<Direction, number[]>, l: EventLimits, lost: () => boolean): EventPlan {
  const left = { up: [...queued.up], down: [...queued.down] };
  const longestAnswer = packetAirUs(l.maxOctets, l.phy);
  const pdus: PduSent[] = [];
  let t = 0;
  let endUs = 0;
  let exchanges = 0;
  /** Sends the head of `dir`'s queue (or an empty PDU) starting at `t`; false if it was lost. */
  const packet = (dir: Direction): boolean => {
    const octets = Math.min(left[dir][0] ?? 0, l.maxOctets);
    endUs = t + packetAirUs(octets, l.phy);
    t = endUs + T_IFS_US;
    if (octets === 0) return true;
    const gone = lost();
    pdus.push({ dir, octets, endUs, lost: gone });
    if (gone) return false;
    left[dir][0] -= octets;
    if (left[dir][0] === 0) left[dir].shift();
    return true;
  };
  for (;;) {
    const central = packetAirUs(Math.min(left.up[0] ?? 0, l.maxOctets), l.phy);
    // The first exchange is the anchor's and always happens; later ones only if they fit.
    if (exchanges > 0 && t + central + T_IFS_US + longestAnswer + T_IFS_US > l.budgetUs) break;
    exchanges++;
    if (!packet('up') || !packet('down')) break;
    // More Data: the central's bit or the peripheral's.
    if (left.up.length === 0 && left.down.length === 0) break;
  }
  return { pdus, exchanges, endUs };
}
