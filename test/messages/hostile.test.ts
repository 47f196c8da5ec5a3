/**
 * Every message decoder against a table of hostile inputs (docs/PROTOCOL.md §3): each
 * clear-text message via decodeMessage, and the hello, challenge (every kind), card (via
 * a provision challenge), answer and result bodies and the token claims. The table is
 * derived from one valid sample per decoder (samples.ts, hostile-cases.ts); every case
 * must come back as `{ ok: false, status }` with exactly the expected status, never throw.
 */
import { describe, expect, it } from 'vitest';
import { CborMap, type CborValue, cborMap, decodeCbor } from '../../shared/cbor/index.ts';
import { decodeCardMap, decodeHelloBody, decodeResultBody } from '../../shared/messages/bodies.ts';
import { CardKind, ChallengeKind, MessageType, WearState } from '../../shared/protocol/constants.ts';
import { Status, statusName } from '../../shared/status/codes.ts';
import type { Result } from '../../shared/status/error.ts';
import { type Case, type Group, fieldCases, headerCases, inputCases, mapCases } from './hostile-cases.ts';
import { enc } from './raw-cbor.ts';
import { TARGETS, type Target } from './samples.ts';

function outcome(decode: Target['decode'], bytes: Uint8Array): Result<unknown> | { thrown: string } {
  try {
    return decode(bytes);
  } catch (e) {
    return { thrown: String(e) };
  }
}

/** The cases whose outcome is not the expected one, described (empty when all hold). */
function mismatches(t: Target, cases: Case[]): string[] {
  const out: string[] = [];
  for (const c of cases) {
    const r = outcome(t.decode, c.bytes);
    const got = 'thrown' in r ? 'threw ' + r.thrown : r.ok ? 'ok' : statusName(r.status) + ' (' + r.detail + ')';
    const want = c.expect === 'ok' ? 'ok' : statusName(c.expect);
    if ('thrown' in r) out.push(`${c.name}: ${got}`);
    else if (c.expect === 'ok' ? !r.ok : r.ok || r.status !== c.expect) out.push(`${c.name}: want ${want}, got ${got}`);
    else if (!r.ok && c.detail && !c.detail.test(r.detail || ''))
      out.push(`${c.name}: refused for "${r.detail}", want ${c.detail}`);
    else if (
      !r.ok &&
      !(typeof r.status === 'number' && Object.keys(r).every((k) => ['ok', 'status', 'detail'].includes(k)))
    ) {
      out.push(`${c.name}: not a { ok, status, detail } refusal`);
    }
  }
  return out;
}

describe('the sample table is complete', () => {
  const typeOf = (t: Target) => t.sample.get(0);
  it('covers every clear-text message type', () => {
    const covered = TARGETS.filter((t) => t.header)
      .map(typeOf)
      .sort((a, b) => Number(a) - Number(b));
    expect(covered).toEqual(Object.values(MessageType).sort((a, b) => a - b));
  });
  it('covers every challenge kind and both card kinds', () => {
    const kinds = TARGETS.filter((t) => t.name.startsWith('challenge/')).map((t) => t.sample.get(1));
    expect(kinds.sort()).toEqual(Object.values(ChallengeKind).sort());
    const cards = TARGETS.filter((t) => t.name.startsWith('card/')).map((t) => t.sample.get(1));
    expect(cards.sort()).toEqual(Object.values(CardKind).sort());
    expect(TARGETS.map((t) => t.name)).toEqual(
      expect.arrayContaining(['hello body', 'answer body', 'result body', 'token claims']),
    );
  });
  it.each(TARGETS)('$name: the schema names exactly the sample keys, and the sample decodes', (t) => {
    const own = t.sample.keys.filter((k) => !(t.header && (k === 0 || k === 1)));
    expect(t.fields.map((f) => f.key).sort()).toEqual([...own].sort());
    const r = t.decode(enc(t.sample));
    expect(r).toMatchObject({ ok: true });
  });
});

const groupsOf = (t: Target): Group => ({
  ...fieldCases(t),
  ...mapCases(t),
  ...(t.limit !== undefined ? inputCases(t) : {}),
  ...(t.header ? headerCases(t) : {}),
});

let total = 0;
describe.each(TARGETS)('$name', (t) => {
  const groups = groupsOf(t);
  for (const [attack, cases] of Object.entries(groups)) {
    if (cases.length === 0) continue;
    total += cases.length;
    it(`${attack} (${cases.length} cases)`, () => {
      expect(mismatches(t, cases)).toEqual([]);
    });
  }
});

describe('decodeCardMap (exported for stored cards) agrees with the provision path', () => {
  it.each(TARGETS.filter((t) => t.name.startsWith('card/')))('$name: every field and map case', (t) => {
    const differ: string[] = [];
    for (const c of Object.values({ ...fieldCases(t), ...mapCases(t) }).flat()) {
      const viaProvision = t.decode(c.bytes);
      // The card map sits at depth 2 of a provision challenge (limit 4), so it may nest 3 deeper.
      const cbor = decodeCbor(c.bytes, { strict: true, maxDepth: 3 });
      if (!cbor.ok || !(cbor.value instanceof CborMap)) {
        if (viaProvision.ok || viaProvision.status !== Status.MALFORMED)
          differ.push(c.name + ': not a canonical map, yet ' + JSON.stringify(viaProvision));
        continue;
      }
      const direct = decodeCardMap(cbor.value);
      const summary = (r: Result<unknown>) => (r.ok ? 'ok' : statusName(r.status));
      if (summary(direct) !== summary(viaProvision))
        differ.push(`${c.name}: direct ${summary(direct)}, via provision ${summary(viaProvision)}`);
    }
    expect(differ).toEqual([]);
  });
});

describe('the version-1 bodies before the air-byte cuts are refused, not half-read', () => {
  const nonce = new Uint8Array(16).fill(2);
  const id = new Uint8Array(16).fill(1);
  it('a hello with the old firmware key (4) is MALFORMED', () => {
    expect(decodeHelloBody(enc(cborMap([1, id], [2, WearState.WORN_LOCKED], [3, nonce], [4, '0.1.0'])))).toMatchObject({
      ok: false,
      status: Status.MALFORMED,
    });
  });
  it('a worn-unlocked hello still carrying a nonce is MALFORMED; without one it decodes', () => {
    expect(decodeHelloBody(enc(cborMap([1, id], [2, WearState.WORN_UNLOCKED], [3, nonce])))).toMatchObject({
      ok: false,
      status: Status.MALFORMED,
    });
    expect(decodeHelloBody(enc(cborMap([1, id], [2, WearState.WORN_UNLOCKED])))).toEqual({
      ok: true,
      value: { deviceId: id, wearState: WearState.WORN_UNLOCKED },
    });
  });
  it('a worn-locked hello without its nonce is MALFORMED', () => {
    expect(decodeHelloBody(enc(cborMap([1, id], [2, WearState.WORN_LOCKED])))).toMatchObject({
      ok: false,
      status: Status.MALFORMED,
    });
  });
  it('a result with the old display text (key 2) is MALFORMED', () => {
    expect(decodeResultBody(enc(cborMap([1, Status.OK], [2, 'Paid 1.00 CNY'])))).toMatchObject({
      ok: false,
      status: Status.MALFORMED,
    });
  });
});

describe('table size', () => {
  it('holds thousands of hostile cases', () => {
    expect(total).toBeGreaterThan(2000);
  });
});

describe("the hello body's battery", () => {
  const id = new Uint8Array(16).fill(1);
  it('a battery level (key 5) is a whole percent: 0 to 100, nothing else', () => {
    const hello = (battery: CborValue) =>
      decodeHelloBody(enc(cborMap([1, id], [2, WearState.OFF_WRIST], [5, battery])));
    expect(hello(0)).toEqual({ ok: true, value: { deviceId: id, wearState: WearState.OFF_WRIST, battery: 0 } });
    expect(hello(100)).toMatchObject({ ok: true, value: { battery: 100 } });
    for (const bad of [101, -1, '50', true])
      expect(hello(bad), String(bad)).toMatchObject({ ok: false, status: Status.MALFORMED });
  });
});
