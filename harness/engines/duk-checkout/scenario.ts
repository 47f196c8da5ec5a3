/**
 * Entry of the Duktape scenario (bundled to ES5 by ../duk-bundle.ts, run after duk-hal.js
 * and the image): the firmware's whole story (harness/band/engine-story.ts) with the
 * checkout double (harness/band/checkout-core.ts) over the stand-in provider, the radio
 * over `halctl`. Prints a line per step passed, the story's report as one JSON line, then (when
 * the host set `storyPayments`) the timed payments as one JSON line, then SCENARIO OK.
 */
import type { BandStatus } from '../../../firmware/boot.ts';
import { BandFlows } from '../../../harness/band/band-flows.ts';
import { CheckoutCore } from '../../../harness/band/checkout-core.ts';
import { runStory, type StoryPort } from '../../../harness/band/engine-story.ts';
import { FrameLink } from '../../../harness/band/frame-link.ts';
import type { Message } from '../../../shared/messages/clear.ts';
import type { HalCtl, WristpayGlobal } from './halctl.ts';
import { PAYMENTS_LINE, slotSampler, STEP_LINE, timePayments } from './measure.ts';
import { createStandInProvider } from './provider.ts';

declare const halctl: HalCtl;
declare const wristpay: WristpayGlobal;
declare function print(...args: unknown[]): void;

const MTU = 185;

/** Set by an engine run (harness/engines/engine-run.ts) before the bundle: payments to time after the story. */
declare const storyPayments: number | undefined;

const slots = slotSampler();
const link = new FrameLink({ write: (b) => halctl.write(b), notifications: halctl.notified }, MTU);
const port: StoryPort = {
  send: (m: Message) => {
    link.send(m);
    slots.sample();
  },
  expect: (type) => link.expect(type),
  received: () => link.received(),
  now: () => halctl.hal.clock.wallMs(),
  putOn: () => halctl.wear(true),
  takeOff: () => {
    halctl.wear(false);
    halctl.advance(2000);
  },
  advance: (ms) => halctl.advance(ms),
  press: () => halctl.press(),
  status: () => JSON.parse(wristpay.status()) as BandStatus,
};

halctl.connect(MTU);
const provider = createStandInProvider();
const flows = new BandFlows(port, new CheckoutCore(provider));
const report = runStory(flows, provider, (step) => print(STEP_LINE + step));
print(JSON.stringify(report));
if (typeof storyPayments === 'number') {
  slots.stop();
  print(PAYMENTS_LINE + JSON.stringify(timePayments(flows, storyPayments, halctl.hostCrypto, slots.peak)));
}
print('SCENARIO OK');
