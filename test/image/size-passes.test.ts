/**
 * The image's other size passes on small programs: uncallable methods
 * (tools/image/dead-methods.ts), `this`/built-in/undefined aliasing in the ES5 output
 * (tools/image/es5-shrink.ts, and the profile check seeing through its aliases), and
 * property mangling (tools/image/mangle-props.ts): what is kept, what is refused, and
 * that programs compute the same.
 */
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { transformSync } from '@babel/core';
import { minifyEs5 } from '../../tools/image/bundle.ts';
import { deadMethods, type DeadMethodStats } from '../../tools/image/dead-methods.ts';
import { checkEngineProfile } from '../../tools/image/es5-check.ts';
import { es5Shrink, type ShrinkStats } from '../../tools/image/es5-shrink.ts';
import { lowerToEs5 } from '../../tools/image/lower.ts';
import { manglePropsOptions, mangleSafetyProblems, reservedPropertyNames } from '../../tools/image/mangle-props.ts';
import { PROBE_ENTRY } from '../../harness/images.ts';

function transform(code: string, plugin: object): string {
  return transformSync(code, {
    configFile: false,
    babelrc: false,
    sourceType: 'script',
    compact: true,
    comments: false,
    plugins: [plugin],
  })!.code!;
}

function run(code: string, globals: object = {}): string {
  const ctx: { result?: unknown } = { ...globals };
  vm.runInNewContext(code, ctx);
  return JSON.stringify(ctx.result);
}

describe('deadMethods', () => {
  const program = (
    use: string,
  ) => `class C { used() { return 1; } unused() { return 2; } get size() { return 3; } toString() { return 'c'; } spare() {} }
    var c = new C(); ${use}; result = [c.used(), String(c)];`;

  it('removes a method whose name appears nowhere else, keeping engine-called ones', () => {
    const stats: DeadMethodStats = { removed: [] };
    const out = transform(program(''), deadMethods({ stats }));
    expect(stats.removed.sort()).toEqual(['size', 'spare', 'unused']);
    expect(run(out)).toBe(run(program('')));
  });

  it('keeps a method named by a member access, a string, or a destructuring key', () => {
    for (const use of ['c.unused', 'c["unused"]', '"unused" in c', 'var { unused } = c', 'o = { unused: 1 }']) {
      const stats: DeadMethodStats = { removed: [] };
      transform(program(use), deadMethods({ stats }));
      expect(stats.removed, use).not.toContain('unused');
    }
  });

  it("keeps methods the host may call by name (the HAL's, `status`)", () => {
    const stats: DeadMethodStats = { removed: [] };
    transform(
      'class Api { status() { return "{}"; } monotonicMs() { return 0; } other() {} } wristpay = new Api();',
      deadMethods({ stats }),
    );
    expect(stats.removed).toEqual(['other']);
  });

  it('removes nothing when a property key is built at run time', () => {
    const stats: DeadMethodStats = { removed: [] };
    transform(program('c["un" + "used"]()'), deadMethods({ stats }));
    expect(stats.removed).toEqual([]);
  });
});

describe('es5Shrink', () => {
  const shrink = (code: string) => {
    const stats: ShrinkStats = { thisAliased: 0, globalsAliased: [], undefinedAliased: 0 };
    return { code: transform(code, es5Shrink({ stats })), stats };
  };

  it("aliases `this` in a function that uses it four times, and only that function's `this`", () => {
    const src = `function P(a) { this.a = a; this.b = a + 1; this.c = this.a + this.b;
        var self = this; this.f = function () { return this === self ? 'same' : 'inner'; }; }
      var p = new P(1); var q = { f: p.f }; result = [p.a, p.b, p.c, p.f(), q.f()];`;
    const r = shrink(src);
    expect(r.stats.thisAliased).toBe(1);
    expect(r.code).toContain('var _wpThis=this;');
    expect(r.code).toContain('return this===self');
    expect(run(r.code)).toBe(run(src));
  });

  it('aliases often-used built-ins and void 0, but never assigned, optional or host globals', () => {
    const src = `var a = new Uint8Array(1), b = new Uint8Array(2), c = new Uint8Array(3), d = void 0, e = undefined;
      var cfg = typeof wristpayConfig === 'undefined' ? void 0 : wristpayConfig;
      result = [a.length + b.length + c.length, d === e, cfg === void 0, typeof hal];`;
    const r = shrink(src);
    expect(r.stats.globalsAliased).toEqual(['Uint8Array']);
    expect(r.stats.undefinedAliased).toBe(4);
    expect(r.code).toContain('typeof wristpayConfig');
    expect(run(r.code)).toBe(run(src));
    expect(shrink('Math = {}; Math.x; Math.y; Math.z; Math.w;').stats.globalsAliased).toEqual([]);
  });

  it('does not hide a banned built-in from the profile check', () => {
    const code = transform(
      'var wristpay; (function () { Math.imul(1, 2); Math.floor(1); Math.floor(2); Math.floor(3); Math.floor(4); })();',
      es5Shrink(),
    );
    expect(code).toContain('_wpMath.imul');
    expect(checkEngineProfile(code).join('\n')).toMatch(/Math\.imul is not an ES5 built-in/);
  });
});

describe('strictOnce (module code)', () => {
  const src = `class A { f() { return 1; } } class B { g() { return this; } }
    wristpay = { r: [new A().f(), (0, new B().g)() === undefined], leak: function () { leaked = 1; } };`;

  it('gives the image one "use strict" at its top instead of one per class, and strict code stays strict', async () => {
    const perClass = lowerToEs5(src);
    const once = lowerToEs5(src, 'band.js', { moduleCode: true });
    expect(perClass.match(/"use strict"/g)).toHaveLength(2);
    expect(once.match(/"use strict"/g)).toHaveLength(1);
    expect(once).toMatch(/^var wristpay;\n\(function \(\) \{\n"use strict";/);
    const band = new Function(`${await minifyEs5(once)}; return wristpay;`)();
    expect(band.r).toEqual([1, true]);
    // Outside the classes too: an assignment to an undeclared name throws, as in a module.
    expect(() => band.leak()).toThrow(ReferenceError);
  });
});

describe('property mangling', () => {
  it("keeps the host's and the engine's names, and every name held in a string", () => {
    const lowered = lowerToEs5(
      'var o = { groupPages: 1, "quoted": 2 }; wristpay = { status: function () { return o.groupPages + o["viaString"]; } };',
    );
    const reserved = reservedPropertyNames(lowered, PROBE_ENTRY);
    const keep = [
      'monotonicMs',
      'pageSize',
      'setTimer',
      'onWrite',
      'deviceId',
      'cards',
      'removalDebounceMs',
      'status',
      'frames',
      'lastSum',
      'configurable',
      'enumerable',
      'stack',
      'subarray',
      'byteOffset',
      'charCodeAt',
      'quoted',
      'viaString',
    ];
    for (const name of keep) expect(reserved.has(name), name).toBe(true);
    expect(reserved.has('groupPages')).toBe(false);
  });

  it('mangles internal names and keeps getters (defined through descriptors) working', async () => {
    const src = `class Box { constructor(v) { this.inner = v; } get size() { return this.inner.length; } grow() { this.inner.push(0); return this; } }
      const b = new Box([1]).grow(); const d = Object.getOwnPropertyDescriptor(Box.prototype, 'size');
      wristpay = [b.size, d.enumerable, d.configurable, typeof d.get, Object.keys(b)];`;
    const lowered = lowerToEs5(src);
    const plain = new Function(`${await minifyEs5(lowered)}; return wristpay;`)();
    const code = await minifyEs5(lowered, manglePropsOptions(reservedPropertyNames(lowered, PROBE_ENTRY)));
    expect(code).not.toContain('inner');
    expect(code).not.toContain('grow');
    const mangled = new Function(`${code}; return wristpay;`)() as unknown[];
    expect(mangled.slice(0, 4)).toEqual(plain.slice(0, 4));
  });

  it('refuses bundles where a name could escape the reserve list', () => {
    const modules = (code: string, where = 'firmware/core/x.ts') => `(() => {\n  // ${where}\n${code}\n})();`;
    expect(mangleSafetyProblems(modules('o["on" + name]();'), 'firmware/main.ts')[0]).toMatch(
      /key built at run time in firmware\/core\/x\.ts/,
    );
    // biome-ignore lint/suspicious/noTemplateCurlyInString: source text with a template key, on purpose
    expect(mangleSafetyProblems(modules('o[`${a}b`] = 1;'), 'firmware/main.ts')).toHaveLength(1);
    expect(mangleSafetyProblems(modules('if (String(k) in o) f();'), 'firmware/main.ts')[0]).toMatch(
      /`in` with a key built at run time/,
    );
    expect(mangleSafetyProblems(modules('var c = JSON.parse(s);'), 'firmware/main.ts')[0]).toMatch(/JSON\.parse/);
    expect(mangleSafetyProblems(modules('log(JSON.stringify(state));'), 'firmware/main.ts')[0]).toMatch(
      /JSON\.stringify outside the entry/,
    );
    expect(mangleSafetyProblems(modules('s = JSON.stringify(st);', 'firmware/main.ts'), './firmware/main.ts')).toEqual(
      [],
    );
    expect(mangleSafetyProblems(modules('o[k] = o[1] + o["x"];'), 'firmware/main.ts')).toEqual([]);
  });
});
