/**
 * Detail stripping (tools/image/strip-details.ts): on small bundles shaped like
 * esbuild's (module comments inside one IIFE), calls are matched by the declaration they
 * resolve to, never by name; nothing with a possible side effect is dropped; and on the
 * real firmware bundle every detail goes while the host keeps them.
 */
import { describe, expect, it } from 'vitest';
import { transformSync } from '@babel/core';
import { emptyStripStats, stripDetails, type StripStats } from '../../tools/image/strip-details.ts';
import { bundleFirmware } from '../../tools/image/bundle.ts';
import { emptyLowerStats, lowerToEs5 } from '../../tools/image/lower.ts';
import { MAIN_ENTRY } from '../../tools/image/pipeline.ts';
import { decodeCbor } from '../../shared/cbor/decode.ts';

function strip(code: string): { code: string; stats: StripStats } {
  const stats = emptyStripStats();
  const out = transformSync(code, {
    configFile: false,
    babelrc: false,
    sourceType: 'script',
    compact: true,
    comments: false,
    plugins: [stripDetails({ stats })],
  });
  return { code: out!.code!, stats };
}

/** An esbuild-like bundle: one IIFE, a `// path` comment before each module's code. */
function bundle(modules: Record<string, string>): string {
  return `(() => {\n${Object.entries(modules)
    .map(([path, code]) => `  // ${path}\n${code}\n`)
    .join('')}})();\n`;
}

const RESULT = `function fail(status, detail) { return { ok: false, status, detail }; }`;

describe('messages of thrown errors', () => {
  const ERRORS = `var WristpayError = class extends Error { constructor(status, detail) { super(detail); this.status = status; } };`;

  it('drops the message of the built-in constructors and the detail of WristpayError', () => {
    const r = strip(
      bundle({
        'shared/status/error.ts': RESULT + ERRORS,
        'shared/crypto/bytes.ts': `function x(a, b) { if (a.length !== b.length) throw new Error("xor: length mismatch"); if (!a) throw new TypeError("not " + typeof a); throw new RangeError("n=" + a.length); }
        function y(s) { throw new WristpayError(s, "HPKE: export-only suite cannot Seal"); }`,
      }),
    );
    expect(r.code).toContain('throw new Error();');
    expect(r.code).toContain('throw new TypeError();');
    expect(r.code).toContain('throw new RangeError();');
    expect(r.code).toContain('throw new WristpayError(s);');
    expect(r.code).not.toMatch(/mismatch|export-only/);
    expect(r.stats.thrown).toBe(4);
  });

  it('leaves a local class called Error, other classes, and messages with a possible side effect', () => {
    const r = strip(
      bundle({
        'shared/status/error.ts': RESULT + ERRORS,
        'x.ts': `function f(Error) { return new Error("local"); } var Other = class { constructor(a, b) {} }; var n = 0;
        function g() { new Other(1, "keep"); throw new Error("n=" + n++); }`,
      }),
    );
    expect(r.code).toContain('new Error("local")');
    expect(r.code).toContain('new Other(1,"keep")');
    expect(r.code).toContain('new Error("n="+n++)');
    expect(r.stats).toMatchObject({ thrown: 0, kept: 1 });
  });
});

describe('fail(status, detail)', () => {
  it("loses its detail where the callee is shared/status/error.ts's fail, also when esbuild renamed it", () => {
    for (const name of ['fail', 'fail2']) {
      const r = strip(
        bundle({
          'shared/status/error.ts': RESULT.replace('fail', name),
          'shared/cbor/decode.ts': `function d(b) { if (!b) return ${name}(1, "input is not a Uint8Array"); return ${name}(3, "input of " + b.length + " bytes"); }`,
        }),
      );
      expect(r.code).toContain(`return ${name}(1);return ${name}(3);`);
      expect(r.stats.fail).toBe(2);
    }
  });

  it('leaves a same-named function of another module, a method and a shadowing local alone', () => {
    const r = strip(
      bundle({
        'shared/status/error.ts': RESULT,
        'shared/framing/reassembler.ts': `function fail2(s, why) { return why; } var R = class { fail(s, why) { return why; } go() { this.fail(1, "a"); return fail2(1, "b"); } };
        function g(fail) { return fail(1, "c"); }`,
      }),
    );
    expect(r.code).toContain('this.fail(1,"a")');
    expect(r.code).toContain('fail2(1,"b")');
    expect(r.code).toContain('fail(1,"c")');
    expect(r.stats.fail).toBe(0);
  });

  it('keeps a detail whose evaluation might do something, and counts it', () => {
    const r = strip(
      bundle({
        'shared/status/error.ts': RESULT,
        'x.ts':
          'var n = 0; function g() { n++; return "x"; } function h(e) { fail(1, next()); fail(1, "n=" + n++); fail(1, g()); fail(1, new Error("x").message); }',
      }),
    );
    expect(r.stats).toMatchObject({ fail: 0, kept: 4 });
  });

  it('drops details made of reads, operators, String() and return-only helpers, and the helpers with them', () => {
    const r = strip(
      bundle({
        'shared/status/error.ts': RESULT,
        'firmware/storage/journal.ts': `function describe(e) { return e instanceof Error ? e.name + ": " + e.message : String(e); }
        function open(e, o) { fail(127, "journal: " + o.a[0] + \`\${typeof o}\` + (o.b ? -o.c : void 0)); return fail(127, "flash failed: " + describe(e)); }`,
      }),
    );
    expect(r.stats).toMatchObject({ fail: 2, kept: 0, helpersRemoved: 1 });
    expect(r.code).not.toContain('describe');
  });
});

const FIELDS = `var Fields = class { problem = null; refuse(why, status) { if (this.problem === null) this.problem = why; }
  uint(k) { this.refuse("key " + k + ": expected unsigned integer"); } };`;

describe('Fields.refuse(why)', () => {
  it('keeps a short non-null marker and the status argument', () => {
    const r = strip(
      bundle({
        'shared/messages/fields.ts': FIELDS,
        'shared/messages/bodies.ts':
          'function c(f, code) { if (!code) f.refuse("last4 must be 4 digits", 33); f.refuse("unknown card kind " + code); }',
      }),
    );
    expect(r.code).toContain('this.refuse("?")');
    expect(r.code).toContain('f.refuse("?",33);f.refuse("?")');
    expect(r.stats.refuse).toBe(3);
  });

  it('strips nothing when anything else in the bundle defines a member called refuse', () => {
    for (const other of [
      'var o = { refuse: function (w) { return w; } };',
      'var C = class { refuse(w) { return w; } };',
      'x.refuse = function (w) {};',
    ]) {
      const r = strip(bundle({ 'shared/messages/fields.ts': FIELDS, 'other.ts': other }));
      expect(r.stats.refuse, other).toBe(0);
    }
  });
});

describe('CBOR refuse(reason)', () => {
  const reader = `var Refusal = class { constructor(reason) { this.reason = reason; } };
    function refuse(reason) { throw new Refusal(reason); }`;
  const decode = `function top(s) { try { if (s.p > s.end) refuse("more than " + s.maxItems + " data items"); } catch (e) { if (e instanceof Refusal) return fail(1, e.reason); } }`;

  it('loses its reason once the only reader of .reason was a stripped detail', () => {
    const r = strip(
      bundle({ 'shared/status/error.ts': RESULT, 'shared/cbor/reader.ts': reader, 'shared/cbor/decode.ts': decode }),
    );
    expect(r.code).toContain('refuse();');
    expect(r.stats).toMatchObject({ fail: 1, cborRefuse: 1 });
  });

  it('keeps it when something still reads .reason', () => {
    const r = strip(
      bundle({
        'shared/status/error.ts': RESULT,
        'shared/cbor/reader.ts': reader,
        'shared/cbor/decode.ts': decode,
        'log.ts': 'function l(e) { log(e.reason); }',
      }),
    );
    expect(r.stats.cborRefuse).toBe(0);
  });
});

describe('on the firmware bundle', () => {
  it('strips every fail, Fields and CBOR detail and keeps none; the host code keeps its details', async () => {
    const stats = emptyLowerStats();
    const kept = lowerToEs5(await bundleFirmware(MAIN_ENTRY), 'band.js', { stats, stripDetails: false });
    const stripped = lowerToEs5(await bundleFirmware(MAIN_ENTRY), 'band.js', { stats });
    expect(stats.strip.fail).toBeGreaterThan(30);
    expect(stats.strip.refuse).toBeGreaterThan(10);
    expect(stats.strip.cborRefuse).toBeGreaterThan(20);
    expect(stats.strip.kept).toBe(0);
    for (const detail of [
      'trailing bytes after the item',
      'expected unsigned integer',
      'map keys not in deterministic order',
      'journal: store full',
    ]) {
      expect(kept).toContain(detail);
      expect(stripped).not.toContain(detail);
    }
    const host = decodeCbor(new Uint8Array([0xa2, 0x02, 0x00, 0x01, 0x00]), { strict: true });
    expect(host).toMatchObject({ ok: false, status: 1, detail: 'map keys not in deterministic order' });
  });
});
