/**
 * A stand-in image entry that exercises the build pipeline and both engines until the
 * real `firmware/main.ts` exists. It follows the same contract (docs/FIRMWARE-IMAGE.md):
 * the global `hal` is provided by the engine host, top-level code calls `boot(hal)`, and
 * the only global the image defines is `wristpay` (declared by the build's banner).
 *
 * On purpose it uses the ES2015 syntax the firmware will use (class, const/let, arrows,
 * template strings, destructuring, array spread, for-of over arrays) so that the Babel
 * lowering is proven on it, and typed arrays/DataView so both engines are exercised.
 * Radio behaviour: every control-point write is notified back unchanged (an echo).
 */
import type { Bytes, Hal } from './hal.ts';

declare const hal: Hal;
/** The image's one global (declared `var wristpay;` by the build banner). */
declare var wristpay: { status(): string };

/** Counts echoed bytes; the sum uses DataView so its lowering is exercised too. */
class EchoCounter {
  private frames = 0;
  private bytes = 0;
  private lastSum = 0;

  record(data: Bytes): void {
    this.frames++;
    this.bytes += data.length;
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    let sum = 0;
    for (let i = 0; i < view.byteLength; i++) sum = (sum + view.getUint8(i)) & 0xffff;
    this.lastSum = sum;
  }

  summary(): { frames: number; bytes: number; lastSum: number } {
    const { frames, bytes, lastSum } = this;
    return { frames, bytes, lastSum };
  }
}

function boot(h: Hal): void {
  const counter = new EchoCounter();
  let ticks = 0;
  const banner = [`wristpay probe`, `${h.display.columns}x${h.display.lines}`];

  h.radio.onWrite((data) => {
    counter.record(data);
    // Copy into a fresh array (set, not slice: Duktape lacks TypedArray.prototype.slice).
    const reply = new Uint8Array(data.length);
    reply.set(data);
    h.radio.notify(reply);
  });

  const tick = (): void => {
    ticks++;
    const { frames } = counter.summary();
    h.display.show([...banner, `ticks ${ticks} frames ${frames}`]);
  };
  h.clock.setTimer(1000, tick);

  const lines: string[] = [];
  for (const line of [...banner, 'booted']) lines.push(line);
  h.display.show(lines);
  h.log.log(`probe booted at ${h.clock.monotonicMs()} ms`);

  wristpay = {
    status: () => JSON.stringify({ probe: true, ticks, ...counter.summary() }),
  };
}

boot(hal);
