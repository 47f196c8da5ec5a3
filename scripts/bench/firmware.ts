/**
 * Firmware figures: the real image's exact byte counts (firmware/main.ts through the image
 * pipeline, in memory: the same code `npm run build` writes, whether or not it is within
 * the budget), the QuickJS heap after boot and after 10 and 100 payments, and the
 * firmware's CPU per payment inside QuickJS. The payments are the tests' own scenario
 * driver (harness/band/engine-story.ts, engine-measure.ts), so bench and test agree.
 */
import { measureCpu, measureHeap } from '../../harness/band/engine-measure.ts';
import { buildRealImage } from '../../harness/band/quickjs-band.ts';

export async function benchFirmware(opts: { quick: boolean }): Promise<Record<string, number>> {
  const built = await buildRealImage();
  const out: Record<string, number> = {
    imageBytes: built.sizes.minified,
    imageGzipBytes: built.sizes.gzip,
    signedImageBytes: built.sizes.image,
  };
  // Back to back: the replay memory keeps every challenge nonce (the worst case for the heap).
  const heap = await measureHeap(built.code, { checkpoints: [10, 100], gapMs: 0 });
  if (heap.faults.length > 0) throw new Error(`firmware bench: guest faults: ${heap.faults.join('; ')}`);
  out.heapEngineBaselineBytes = heap.baseline;
  out.heapAfterBootBytes = heap.afterBoot;
  out.heapAfter10PaymentsBytes = heap.afterPayments[10];
  out.heapAfter100PaymentsBytes = heap.afterPayments[100];
  const cpu = await measureCpu(built.code, opts.quick ? 20 : 100);
  out.paymentMsInQuickJS = cpu.msPerPayment;
  out.paymentHalMsInQuickJS = cpu.halMsPerPayment;
  out.paymentGuestMsInQuickJS = cpu.guestMsPerPayment;
  out.paymentInterruptPolls = cpu.interruptPollsPerPayment;
  out.paymentHalCalls = cpu.halCallsPerPayment;
  return out;
}
