/**
 * The same image (firmware/main.ts, built in memory) under Duktape 2.7 (`duk`) with the
 * pure-JS HAL (harness/engines/duk-hal.js), through the same story as in QuickJS
 * (harness/band/engine-story.ts): enroll → cards → wear → unlock → pay under the limit →
 * pay over it with keep-alives and the button → express transit → take off → NOT_WORN →
 * wipe. The checkout runs inside duk too (harness/engines/duk-checkout/, bundled to ES5 by the image
 * pipeline's bundle and lower steps); its crypto is duk-hal's stand-ins, so the signatures
 * are HMAC stand-ins, verified by the same verifyToken.
 *
 * Needs duk (test/support/requirements.ts: fails in CI without it, skips elsewhere).
 */
import { beforeAll, expect, it } from 'vitest';
import { TokenFlag } from '../../shared/protocol/constants.ts';
import { Status } from '../../shared/status/codes.ts';
import { runInDuktape, type DukRun } from '../../harness/engines/duktape-runner.ts';
import type { StoryReport } from '../../harness/band/engine-story.ts';
import { buildRealImage } from '../../harness/band/quickjs-band.ts';
import { needs, requirements } from '../support/requirements.ts';
import { bundleScenarioForDuk } from '../../harness/engines/duk-bundle.ts';

needs(requirements.duk).describe('the real image in Duktape: the whole story', () => {
  let run: DukRun;
  let report: StoryReport;
  let ms = 0;

  beforeAll(async () => {
    const [image, scenario] = await Promise.all([buildRealImage(), bundleScenarioForDuk()]);
    const t = performance.now();
    run = runInDuktape(image.code, scenario, { timeoutMs: 60_000 });
    ms = performance.now() - t;
    console.info(
      `duk: ${Math.round(ms)} ms, image ${image.sizes.minified} bytes, scenario bundle ${scenario.length} bytes`,
    );
    const lines = run.stdout.trimEnd().split('\n');
    report = JSON.parse(lines[lines.length - 2] ?? 'null') as StoryReport;
  });

  it('runs to SCENARIO OK without an error', () => {
    expect(run.timedOut, 'duk timed out').toBe(false);
    expect(run.stderr).toBe('');
    expect(run.ok, run.stdout + run.stderr).toBe(true);
  });

  it('enrolls, takes both cards, unlocks once worn', () => {
    expect(report).toMatchObject({
      cardCounts: [1, 2],
      stateAfterPutOn: 'worn-locked',
      stateAfterUnlock: 'worn-unlocked',
    });
  });

  it('pays under the limit with a token that verifies (stand-in signature)', () => {
    expect(report.small).toMatchObject({
      status: Status.OK,
      counter: 1,
      flags: TokenFlag.WORN | TokenFlag.UNLOCKED,
      verified: true,
    });
  });

  it('above the limit: keep-alives, then the button signs with the confirmed flag', () => {
    expect(report.large).toMatchObject({
      answeredBeforePress: false,
      awaitingConfirmation: true,
      status: Status.OK,
      counter: 2,
      verified: true,
    });
    expect(report.large.keepalives).toBeGreaterThanOrEqual(3);
    expect(report.large.flags).toBe(TokenFlag.WORN | TokenFlag.UNLOCKED | TokenFlag.CONFIRMED);
  });

  it('express transit, then NOT_WORN once removed, then wiped and not enrolled', () => {
    expect(report.transit).toMatchObject({ status: Status.OK, balance: 4700, verified: true });
    expect(report.transit.flags & TokenFlag.EXPRESS).toBe(TokenFlag.EXPRESS);
    expect(report.stateAfterRemoval).toBe('off-wrist');
    expect(report.refusedWhenOff).toBe(Status.NOT_WORN);
    expect(report.wipe).toEqual({
      status: Status.OK,
      enrolled: false,
      cards: 0,
      challengeAfterWipe: Status.NOT_ENROLLED,
    });
  });
});
