/**
 * The demo's "tap" event (issue 15, item 1): what the band's display showed at the tap of an
 * approved payment, read from the simulated display, beside the card the checkout's receipt
 * names: the wearer sees the card that pays, and the receipt names the same one.
 */
import type { ChargeReceipt } from '../../bridge/flows/receipt.ts';
import type { SimBand } from '../../sim/band/sim-band.ts';

export interface TapEvent {
  step: 'tap';
  outcome: 'ok';
  display: string[];
  card: ChargeReceipt['card'];
  [field: string]: unknown;
}

/**
 * The tap screen is the last one before the band's "Sent" (docs/FIRMWARE.md, "The card at the
 * tap"): after a switch, the card the wearer settled on.
 */
export function tapEvent(band: SimBand, receipt: ChargeReceipt): [TapEvent, string] {
  const history = band.hw.display.history;
  let sent = history.length - 1;
  while (sent > 0 && history[sent].lines[3] !== 'Sent') sent--;
  const display = sent > 0 ? history[sent - 1].lines : [];
  const c = receipt.card;
  const card = c ? `${c.issuer} ••••${c.last4} (${c.kind}${c.city ? `, ${c.city}` : ''})` : 'no card';
  return [{ step: 'tap', outcome: 'ok', display, card: c }, `The band showed ${card}: ${display.join(' | ')}`];
}
