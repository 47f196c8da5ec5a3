/**
 * The password-hash queue: bounded concurrency, a bounded waiting list, a short wait
 * limit, and a lane for trusted callers that a flood of strangers cannot fill. A refused
 * call is RATE_LIMITED with a retry time and has computed nothing.
 */
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { Status } from '../../shared/status/codes.ts';
import { defaultConfig } from '../../checkout/core/config.ts';
import { CheckoutError } from '../../checkout/core/errors.ts';
import { HashQueue } from '../../checkout/core/hash-queue.ts';
import { PasswordHasher, newSalt } from '../../checkout/core/passwords.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Work that records that it ran and holds its slot until released. */
function held(log: string[], name: string): { work: () => Promise<string>; release: () => void } {
  let release = () => {};
  const gate = new Promise<void>((r) => (release = r));
  return {
    work: async () => {
      log.push(name);
      await gate;
      return name;
    },
    release,
  };
}

async function refusedThrottled(p: Promise<unknown>): Promise<void> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CheckoutError);
  expect((e as CheckoutError).status).toBe(Status.RATE_LIMITED);
  expect((e as CheckoutError).extras.retryAfterMs).toBeGreaterThan(0);
}

describe('the hash queue', () => {
  it('runs `concurrency` at once, lets `maxWaiting` wait, refuses the next at once without running it', async () => {
    const q = new HashQueue({ concurrency: 1, maxWaiting: 2, maxWaitMs: 5_000 });
    const log: string[] = [];
    const jobs = ['a', 'b', 'c', 'd'].map((n) => held(log, n));
    const runs = jobs.map((j) => q.run('normal', j.work));
    await refusedThrottled(runs[3]);
    await sleep(10);
    expect(log).toEqual(['a']);
    for (const j of jobs) j.release();
    expect(await Promise.all(runs.slice(0, 3))).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['a', 'b', 'c']);
  });

  it('refuses a call still waiting after maxWaitMs, having computed nothing', async () => {
    const q = new HashQueue({ concurrency: 1, maxWaiting: 4, maxWaitMs: 100 });
    const log: string[] = [];
    const first = held(log, 'first');
    const running = q.run('normal', first.work);
    const t0 = performance.now();
    await refusedThrottled(q.run('normal', held(log, 'late').work));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(95);
    first.release();
    await running;
    expect(log).toEqual(['first']);
    // The slot is free again.
    expect(await q.run('normal', async () => 'next')).toBe('next');
  });

  it('a trusted caller has its own lane, served first, that a full normal lane does not refuse', async () => {
    const q = new HashQueue({ concurrency: 1, maxWaiting: 2, maxWaitMs: 5_000 });
    const log: string[] = [];
    const jobs = ['n1', 'n2', 'n3'].map((n) => held(log, n));
    const runs = jobs.map((j) => q.run('normal', j.work));
    await refusedThrottled(q.run('normal', held(log, 'n4').work));
    const trusted = held(log, 't1');
    const t = q.run('trusted', trusted.work);
    trusted.release();
    jobs[0].release();
    expect(await t).toBe('t1');
    for (const j of jobs) j.release();
    await Promise.all(runs);
    expect(log).toEqual(['n1', 't1', 'n2', 'n3']);
  });

  it('at production cost (2^14), a trusted check stays under 5× its idle time + 0.5 s while strangers keep the queue full', async () => {
    const hasher = new PasswordHasher(defaultConfig);
    const salt = newSalt();
    const expected = await hasher.hash('correct horse battery', salt);
    const check = async (): Promise<number> => {
      const t0 = performance.now();
      expect(await hasher.verify('correct horse battery', salt, expected, { trusted: true })).toBe(true);
      return performance.now() - t0;
    };
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const idle: number[] = [];
    for (let i = 0; i < 5; i++) idle.push(await check());

    // 120 strangers, each retrying at once when refused: the normal lane is never empty.
    let stop = false;
    let refused = 0;
    const strangers = Array.from({ length: 120 }, async () => {
      while (!stop) {
        try {
          await hasher.verify('wrong password', salt, expected);
        } catch {
          refused++;
          await sleep(1);
        }
      }
    });
    await sleep(200);
    const during: number[] = [];
    try {
      for (let i = 0; i < 5; i++) during.push(await check());
    } finally {
      stop = true;
      await Promise.all(strangers);
    }
    expect(refused).toBeGreaterThan(0);
    expect(median(during), `idle ${idle.map(Math.round)} ms, flooded ${during.map(Math.round)} ms`).toBeLessThan(
      5 * median(idle) + 500,
    );
  }, 60_000);
});
