/**
 * The real image (firmware/main.ts through the whole pipeline: detail stripping, constant
 * inlining, ES5 lowering, minification) boots in QuickJS on the test environment's HAL, and
 * behaves exactly like the firmware run in-process from TypeScript: the same radio bytes,
 * status snapshots, display lines, logs and flash contents, step by step through enrolment,
 * cards, unlock, payments (with and without the button), a result, garbage and a reboot.
 * This is what shows the size passes changed nothing but diagnostics. It also boots in
 * Duktape 2.7 with the pure-JS HAL, and fits the budget.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootBand, type BootedBand } from '../../firmware/boot.ts';
import { createTestEnv, type TestEnv } from '../../firmware/testenv/test-env.ts';
import { fragmentMessage } from '../../shared/framing/fragment.ts';
import { FrameCommand } from '../../shared/framing/commands.ts';
import { Reassembler } from '../../shared/framing/reassembler.ts';
import { decodeMessage, encodeMessage, type Message } from '../../shared/messages/clear.ts';
import { buildImage, IMAGE_BUDGET_BYTES, MAIN_ENTRY } from '../../tools/image/pipeline.ts';
import { generateVendorKey } from '../../tools/image/vendor-key.ts';
import { runInDuktape, SCENARIO_OK } from '../../harness/engines/duktape-runner.ts';
import { bootInQuickJS, loadQuickJS, type QuickJSBand } from '../../sim/engine/quickjs-host.ts';
import { bankCard, transitCard } from '../support/band-fixture.ts';
import { needs, requirements } from '../support/requirements.ts';
import { CheckoutDouble, type EnrolledBand, type IssuedChallenge } from '../../harness/band/checkout-double.ts';

const MTU = 185;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

let code = '';
let minified = 0;
const engines: QuickJSBand[] = [];

beforeAll(async () => {
  await loadQuickJS();
  const built = await buildImage({
    entry: MAIN_ENTRY,
    version: { major: 0, minor: 1, patch: 0 },
    key: generateVendorKey(),
    budgetBytes: Infinity,
  });
  code = built.code;
  minified = built.sizes.minified;
});
afterAll(() => {
  for (const e of engines) e.dispose();
});

function bootImage(env: TestEnv): QuickJSBand {
  const band = bootInQuickJS(code, env.hal);
  engines.push(band);
  return band;
}

/** One band: its environment and a way to read its status as the host would. */
interface Side {
  env: TestEnv;
  status(): string;
  seen: number;
}

/** The same band twice from one seed: in-process TypeScript (`ts`) and the image in QuickJS (`img`). */
class Twins {
  readonly ts: Side;
  readonly img: Side;
  private booted: BootedBand;
  private engine: QuickJSBand;
  private readonly reassembler = new Reassembler({ timeoutMs: 1e12 });

  constructor(seed: number) {
    const a = createTestEnv({ seed });
    const b = createTestEnv({ seed });
    this.booted = bootBand(a.hal);
    this.engine = bootImage(b);
    expect(this.engine.booted, this.engine.faults.map((f) => f.message).join('\n')).toBe(true);
    this.ts = { env: a, status: () => JSON.stringify(this.booted.status()), seen: 0 };
    this.img = { env: b, status: () => this.engine.evalStatus(), seen: 0 };
    this.both((s) => s.env.radio.connect(MTU));
  }

  both(fn: (s: Side) => void): void {
    fn(this.ts);
    fn(this.img);
  }

  /** Everything observable must match; returns the decoded messages the band sent since last time. */
  compare(step: string): Message[] {
    expect(
      this.engine.faults.map((f) => f.message),
      step,
    ).toEqual([]);
    const fresh = (s: Side) => s.env.radio.notifications.slice(s.seen).map(hex);
    const sent = fresh(this.ts);
    expect(fresh(this.img), `${step}: radio notifications`).toEqual(sent);
    expect(JSON.parse(this.img.status()), `${step}: status()`).toEqual(JSON.parse(this.ts.status()));
    expect(
      this.img.env.display.history.map((h) => h.lines),
      `${step}: display`,
    ).toEqual(this.ts.env.display.history.map((h) => h.lines));
    expect(this.img.env.logs.lines, `${step}: logs`).toEqual(this.ts.env.logs.lines);
    expect(this.img.env.haptics.buzzes, `${step}: haptics`).toEqual(this.ts.env.haptics.buzzes);
    const out: Message[] = [];
    for (const n of this.ts.env.radio.notifications.slice(this.ts.seen)) {
      const ev = this.reassembler.push(n, 0);
      if (ev.kind !== 'frame') continue;
      const d = decodeMessage(ev.payload);
      if (d.ok) out.push(d.value);
    }
    this.both((s) => (s.seen = s.env.radio.notifications.length));
    return out;
  }

  write(bytes: Uint8Array): void {
    this.both((s) => s.env.radio.write(bytes));
  }

  send(m: Message, cmd: number = FrameCommand.MSG): void {
    for (const f of fragmentMessage(cmd, encodeMessage(m), MTU)) this.write(f);
  }

  /** Reboots both on their own flash (RAM state is lost), as a power cycle would. */
  reboot(): void {
    this.both((s) => s.env.radio.disconnect());
    this.engine.dispose();
    this.booted = bootBand(this.ts.env.hal);
    this.engine = bootImage(this.img.env);
    this.both((s) => {
      s.seen = s.env.radio.notifications.length;
      s.env.radio.connect(MTU);
    });
  }

  flash(s: Side): string {
    const f = s.env.flash;
    const pages: string[] = [];
    for (let p = 0; p < f.pageCount; p++) pages.push(hex(f.read(p, 0, f.pageSize)));
    return pages.join('');
  }
}

function last<T extends Message['type']>(ms: Message[], type: T): Extract<Message, { type: T }> {
  const found = ms.filter((m) => m.type === type);
  if (found.length === 0) throw new Error(`expected a ${type}, got ${ms.map((m) => m.type).join(', ')}`);
  return found[found.length - 1] as Extract<Message, { type: T }>;
}

describe('the real image in QuickJS', () => {
  it('boots on createTestEnv’s HAL and wristpay.status() returns JSON', () => {
    const env = createTestEnv({ seed: 3 });
    const band = bootImage(env);
    expect(band.faults).toEqual([]);
    expect(band.booted).toBe(true);
    const status = JSON.parse(band.evalStatus());
    expect(status).toMatchObject({ state: 'off-wrist', enrolled: false, deviceId: null, cards: [], storage: 0 });
    expect(band.debugEval('typeof hal + "," + typeof wristpay')).toBe('object,object');
  });

  it('behaves byte for byte like the TypeScript firmware through a whole story', () => {
    const t = new Twins(7);
    t.compare('boot');
    const checkout = new CheckoutDouble();
    const now = () => t.ts.env.clock.wallMs();
    const common = (id: EnrolledBand) => ({
      deviceId: id.deviceId,
      nonce: checkout.nonce(),
      expiry: Math.floor(now() / 1000) + 60,
    });
    let lastChallenge: IssuedChallenge | null = null;
    const challenge = (id: EnrolledBand, body: Parameters<CheckoutDouble['challenge']>[1]) => {
      lastChallenge = checkout.challenge(id, body);
      t.send(lastChallenge.message);
      return lastChallenge;
    };

    const enroll = checkout.enrollMessage();
    t.send(enroll);
    const id = checkout.acceptEnrolled(enroll, last(t.compare('enroll'), 'enrolled'));
    for (const card of [bankCard, transitCard]) {
      challenge(id, { kind: 'provision', ...common(id), card });
      last(t.compare(`provision ${card.kind}`), 'answer');
    }

    t.both((s) => s.env.wear.sample(true));
    t.compare('put on');
    t.send({ type: 'hello-request' });
    const hello = checkout.openHello(last(t.compare('hello'), 'hello'));
    challenge(id, {
      kind: 'unlock',
      ...common(id),
      bandNonce: hello.unlockNonce!,
      sessionMaxAgeMs: 24 * 3600 * 1000,
      limitPerPayment: 20000,
      limitPerDay: 50000,
    });
    expect(last(t.compare('unlock'), 'answer')).toBeTruthy();
    expect(JSON.parse(t.img.status()).state).toBe('worn-unlocked');

    const payment = (amount: number, orderId: string) => ({
      kind: 'payment' as const,
      ...common(id),
      amount,
      currency: 'CNY',
      merchantId: 'm_1',
      merchantName: 'Tea House',
      terminalId: 't_1',
      orderId,
      express: false,
    });
    const small = challenge(id, payment(1234, 'order-1'));
    expect(checkout.openAnswer(small, last(t.compare('small payment'), 'answer')).status).toBe(0);
    t.send(checkout.result(small, 0));
    t.compare('result');

    challenge(id, payment(25000, 'order-2'));
    t.compare('large payment: waiting');
    t.both((s) => s.env.clock.advance(1600));
    expect(t.compare('keep-alives').filter((m) => m.type === 'keepalive').length).toBeGreaterThanOrEqual(3);
    t.both((s) => s.env.button.press());
    expect(checkout.openAnswer(lastChallenge!, last(t.compare('button'), 'answer')).status).toBe(0);

    // Refusals: a replayed challenge, a frame of garbage, a truncated message.
    t.send(lastChallenge!.message);
    expect(t.compare('replay').length).toBeGreaterThan(0);
    t.write(new Uint8Array([0xee, 1, 2, 3]));
    expect(t.compare('garbage frame')).toEqual([{ type: 'error', status: 0x06 }]); // UNKNOWN_COMMAND
    t.write(fragmentMessage(FrameCommand.MSG, encodeMessage({ type: 'hello-request' }).subarray(0, 1), MTU)[0]);
    t.compare('truncated message');
    expect(JSON.parse(t.img.status()).refusals).toBeGreaterThan(0);

    t.both((s) => s.env.wear.sample(false));
    t.both((s) => s.env.clock.advance(5000));
    t.compare('taken off');

    t.reboot();
    t.compare('reboot');
    expect(JSON.parse(t.img.status())).toMatchObject({
      enrolled: true,
      cards: [{ kind: 'bank' }, { kind: 'transit' }],
    });
    expect(t.flash(t.img), 'flash contents').toBe(t.flash(t.ts));
  });
});

needs(requirements.duk).describe('the real image in Duktape', () => {
  it('boots on the pure-JS HAL and answers status()', () => {
    const run = runInDuktape(code, `print(wristpay.status()); print('${SCENARIO_OK}');`);
    expect(run.stderr).toBe('');
    expect(run.ok, run.stdout).toBe(true);
    expect(JSON.parse(run.stdout.split('\n')[0])).toMatchObject({ state: 'off-wrist', enrolled: false, cards: [] });
  });
});

it('fits the image budget', () => {
  expect(minified).toBeLessThanOrEqual(IMAGE_BUDGET_BYTES);
});
