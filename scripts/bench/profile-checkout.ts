/**
 * `node --import tsx scripts/bench/profile-checkout.ts [answer|payment] [--payments N] [--lanes N] [--out FILE]`:
 * a CPU profile of the checkout on a real SQLite file, in process, as the checkout bench runs it
 * (checkout-setup.ts), and its top self-time functions printed so the figures can be reproduced.
 *
 * - answer: `Checkout.answer` on prepared answers (the path checkout.paymentsPerSecond times).
 * - payment: a whole payment, trade created, band's challenge issued, band's answer posted. The
 *   band double's own work (opening the challenge, signing the token) runs in the same thread but
 *   is not the checkout's: samples under checkout-band.ts are left out of the tables.
 *
 * The profile is taken with the inspector's Profiler around the measured part only (setup is
 * not profiled); the .cpuprofile it writes is what `node --cpu-prof` writes and opens in Chrome
 * DevTools or speedscope.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { createNodeProvider } from '../../shared/crypto/node-provider.ts';
import { type PreparedPayment, openBenchCheckout } from './checkout-setup.ts';
import { timeAnswers } from './checkout.ts';
import { timeWholePayments } from './checkout-payment.ts';
import { type CpuProfile, selfTimes } from './profile-summary.ts';

const arg = (name: string, fallback: string) =>
  process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback;

const mode = process.argv[2] === 'payment' ? 'payment' : 'answer';
const payments = Number(arg('--payments', '3000'));
const lanes = Number(arg('--lanes', '4'));
const out = arg('--out', `checkout-${mode}.cpuprofile`);
const BAND_FILE = 'scripts/bench/checkout-band.ts';

// Whole payments run as shipped (production TTL and caps); answers need the prepared set-up.
const bc = await openBenchCheckout(createNodeProvider(), lanes, mode === 'answer');
const session = new Session();
session.connect();
try {
  const perLane = Math.ceil(payments / lanes);
  let work: () => Promise<number>;
  if (mode === 'answer') {
    const warm = await bc.prepareLanes(100);
    const timed: PreparedPayment[][] = await bc.prepareLanes(perLane);
    await timeAnswers(bc, warm);
    work = () => timeAnswers(bc, timed);
  } else {
    await timeWholePayments(bc, 100, lanes);
    work = async () => (await timeWholePayments(bc, perLane, lanes)).perSecond;
  }
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  const rate = await work();
  const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
  writeFileSync(out, JSON.stringify(profile));
  const s = selfTimes(profile, BAND_FILE);
  process.stdout.write(
    `${mode}: ${Math.round(rate)} payments/s (${lanes} tills${mode === 'payment' ? ', band double excluded' : ''}); profile in ${out}\n` +
      `checkout samples ${s.total} (${s.excluded} under the band double left out)\n\n` +
      `top self time, % of the checkout's samples:\n${s.byFunction.slice(0, 25).join('\n')}\n\n` +
      `by area:\n${s.byArea.join('\n')}\n`,
  );
} finally {
  session.disconnect();
  await bc.close();
}
