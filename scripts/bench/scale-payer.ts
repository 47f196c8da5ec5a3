/**
 * The load generator of the scale benchmark (scale.ts), a process of its own so that it
 * is measured apart from the checkouts: `node --import tsx scale-payer.ts '{"urls":[…],"lanes":N}'`.
 *
 * It sets up, over HTTP and untimed, a merchant with one paired terminal per lane and one
 * owner per lane with an enrolled, unlocked band holding a bank card, then prints
 * `{"event":"ready"}`. Each stdin line `{"ms":N}` runs every lane for N ms and prints
 * `{"event":"slice",…}` (`{"ms":N,"prepared":true}`: with the band answers prepared off the
 * clock, preparedSlice); stdin closing ends it. A lane is one till with one payer at it:
 * trade → PAYMENT challenge → the band's answer, one payment after another (a card's
 * counters arrive in order), on its own keep-alive connection to checkout `lane % urls`.
 *
 * The band's part cannot be made before the challenge exists (the answer is sealed to it),
 * so the band double does it here, between the two requests: an HPKE open and a token
 * signature, cheap beside the checkout's work. Its hello is made once per lane (the
 * checkout accepts a band's hello again, as a till re-sends it).
 */
import { createInterface } from 'node:readline';
import { createNodeProvider } from '../../shared/crypto/node-provider.ts';
import { CheckoutClient, TerminalSigner, createTerminalKey } from '../../checkout/api/client.ts';
import { BenchBand } from './checkout-band.ts';
import { type FloorSizes, floorSizesOf, helloSizeOf } from './checkout-floor.ts';
import { keepAliveFetch } from './keep-alive-fetch.ts';

interface PayerArgs {
  urls: string[];
  lanes: number;
}

interface Lane {
  client: CheckoutClient;
  band: BenchBand;
  hello: Uint8Array;
  close(): void;
}

/** A slice's figures, as printed: payments completed, wall time, this process's CPU time. */
export interface SliceReport {
  event: 'slice';
  payments: number;
  ms: number;
  cpuMs: number;
  sizes: FloorSizes & { hello: number };
}

// Production settings throughout: at 10 registrations per client address per hour
// (config.ts rateLimits.registerPerClient) the merchant and nine owners are all one
// address may create on a fresh database.
const MAX_LANES = 9;
const PASSWORD = 'bench password 1';
const provider = createNodeProvider();

async function setUp(args: PayerArgs): Promise<Lane[]> {
  const [first] = args.urls;
  const client = new CheckoutClient(first);
  const shop = 'scale-shop';
  await client.register({ username: shop, password: PASSWORD, kind: 'merchant', displayName: 'Scale Shop' });
  const merchant = await client.loginAs(shop, PASSWORD);
  const lanes: Lane[] = [];
  for (let i = 0; i < args.lanes; i++) {
    const username = `scale-owner-${i}`;
    await client.register({ username, password: PASSWORD });
    const owner = await client.loginAs(username, PASSWORD);
    const band = new BenchBand(provider);
    const offer = await owner.startEnrollment();
    const view = await owner.completeEnrollment(offer.enrollId, band.enroll(offer.enroll));
    const { challenge } = await owner.addCard(view.deviceId, { issuerId: 'icbc' });
    await owner.answer(challenge.challengeId, band.answerOk(band.open(challenge.message)));
    const unlock = await client.unlock(band.hello(), username, PASSWORD);
    await client.answer(unlock.challengeId, band.answerOk(band.open(unlock.message)));
    const { code } = await merchant.createPairingCode();
    const key = createTerminalKey(provider);
    const till = await client.pairTerminal(code, key.publicKey, `till ${i + 1}`);
    const http = keepAliveFetch();
    const url = args.urls[i % args.urls.length];
    const signer = new TerminalSigner(provider, till.terminalId, key.scalar);
    lanes.push({
      client: new CheckoutClient(url, { fetch: http.fetch }).withTerminal(signer),
      band,
      hello: band.hello(),
      close: http.close,
    });
  }
  return lanes;
}

let seq = 0;

/** Pays one trade end to end; returns its challenge and answer (for the floor's sizes). */
async function payOnce(lane: Lane, index: number): Promise<{ challenge: Uint8Array; answer: Uint8Array }> {
  const outTradeNo = `scale-${index}-${++seq}`;
  const amount = 1000 + (seq % 500);
  await lane.client.createTrade({ outTradeNo, amount, currency: 'CNY', subject: 'scale coffee' });
  const ch = await lane.client.payWithBand(outTradeNo, lane.hello);
  const answer = lane.band.pay(lane.band.open(ch.message));
  const { receipt } = await lane.client.answer(ch.challengeId, answer);
  if (receipt?.amount !== amount) throw new Error(`scale: ${outTradeNo} answered without its receipt`);
  return { challenge: ch.message, answer };
}

async function slice(lanes: Lane[], ms: number): Promise<SliceReport> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const deadline = start + ms;
  let payments = 0;
  let last: { challenge: Uint8Array; answer: Uint8Array } = { challenge: new Uint8Array(0), answer: new Uint8Array(0) };
  await Promise.all(
    lanes.map(async (lane, i) => {
      while (performance.now() < deadline) {
        last = await payOnce(lane, i);
        payments++;
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  return {
    event: 'slice',
    payments,
    ms: Math.round(performance.now() - start),
    cpuMs: Math.round((used.user + used.system) / 1000),
    sizes: { ...floorSizesOf(last.challenge, last.answer), hello: helloSizeOf(lanes[0].hello) },
  };
}

/**
 * A slice with the band answers prepared while the clock stands (issue 18's
 * checkout.http.processPaymentsPerSecond): every lane creates its trade and gets its
 * challenge (timed), the bands then open their challenges and answer (not timed: a band's
 * work, done on the wrist, not the checkout's), and every lane posts its answer (timed).
 * `ms` is the timed part; the checkouts idle while the bands work, so what is measured is
 * the checkout's own time for whole payments, with only the tills' HTTP beside it.
 */
async function preparedSlice(lanes: Lane[], ms: number): Promise<SliceReport> {
  const cpu = process.cpuUsage();
  let timed = 0;
  let payments = 0;
  let last: { challenge: Uint8Array; answer: Uint8Array } = { challenge: new Uint8Array(0), answer: new Uint8Array(0) };
  while (timed < ms) {
    let started = performance.now();
    const open = await Promise.all(
      lanes.map(async (lane, i) => {
        const outTradeNo = `scale-${i}-${++seq}`;
        const amount = 1000 + (seq % 500);
        await lane.client.createTrade({ outTradeNo, amount, currency: 'CNY', subject: 'scale coffee' });
        return { lane, outTradeNo, amount, ch: await lane.client.payWithBand(outTradeNo, lane.hello) };
      }),
    );
    timed += performance.now() - started;
    const answers = open.map((o) => o.lane.band.pay(o.lane.band.open(o.ch.message)));
    started = performance.now();
    await Promise.all(
      open.map(async (o, k) => {
        const { receipt } = await o.lane.client.answer(o.ch.challengeId, answers[k]);
        if (receipt?.amount !== o.amount) throw new Error(`scale: ${o.outTradeNo} answered without its receipt`);
      }),
    );
    timed += performance.now() - started;
    payments += open.length;
    last = { challenge: open[0].ch.message, answer: answers[0] };
  }
  const used = process.cpuUsage(cpu);
  return {
    event: 'slice',
    payments,
    ms: Math.round(timed),
    cpuMs: Math.round((used.user + used.system) / 1000),
    sizes: { ...floorSizesOf(last.challenge, last.answer), hello: helloSizeOf(lanes[0].hello) },
  };
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as PayerArgs;
  if (!(args.urls?.length > 0) || !(args.lanes >= 1 && args.lanes <= MAX_LANES))
    throw new Error(`scale-payer: give {"urls":[…],"lanes":1..${MAX_LANES}}`);
  const lanes = await setUp(args);
  process.stdout.write(`${JSON.stringify({ event: 'ready' })}\n`);
  for await (const line of createInterface({ input: process.stdin })) {
    const { ms, prepared } = JSON.parse(line) as { ms: number; prepared?: boolean };
    process.stdout.write(`${JSON.stringify(await (prepared ? preparedSlice(lanes, ms) : slice(lanes, ms)))}\n`);
  }
  for (const lane of lanes) lane.close();
}

await main();
