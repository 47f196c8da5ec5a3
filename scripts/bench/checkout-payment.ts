/**
 * Whole payments at the checkout, in process: the till creates the trade, asks for the band's
 * PAYMENT challenge with the band's hello, and posts the band's answer, `lanes` tills at once
 * (each paying one trade after another, so its card's counters rise in order). Nothing is
 * prepared but the hello. The band double's own work (opening the challenge, signing the token)
 * runs on the same thread between the checkout's calls; it is timed apart and taken out, so the
 * figure is what the checkout's three calls cost: what checkout.paymentFloorRatio sets beside the
 * whole payment's crypto floor (checkout-floor.ts).
 */
import type { BenchCheckout } from './checkout-setup.ts';

/**
 * Checkout payments/s of `perLane` whole payments on each of `lanes` lanes at once. `bc` is a
 * checkout of its own, opened with production settings (openBenchCheckout's `prepared` false).
 * `bandMs`: the band double's time in it (synchronous crypto, so CPU time too).
 */
export async function timeWholePayments(
  bc: BenchCheckout,
  perLane: number,
  lanes: number,
): Promise<{ perSecond: number; bandMs: number }> {
  const { checkout } = bc;
  let bandMs = 0;
  const pay = async (lane: number): Promise<void> => {
    const terminal = bc.terminals[lane];
    const band = bc.bands[lane];
    for (let i = 0; i < perLane; i++) {
      const { outTradeNo, amount } = bc.nextTrade(lane);
      await checkout.createTrade(terminal, { outTradeNo, amount, currency: 'CNY', subject: 'bench coffee' });
      const ch = await checkout.payWithBand(terminal, outTradeNo, { hello: bc.hellos[lane] });
      const bandStart = performance.now();
      const answer = band.pay(band.open(ch.message));
      bandMs += performance.now() - bandStart;
      const out = await checkout.answer(ch.challengeId, answer, terminal);
      if (out.receipt?.amount !== amount) throw new Error('bench: payment not recorded');
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: lanes }, (_, lane) => pay(lane)));
  return { perSecond: (lanes * perLane * 1000) / (performance.now() - start - bandMs), bandMs };
}
