/**
 * The engine-profile check refuses what ES5 engines cannot run, and the Babel lowering
 * turns the ES2015+ the firmware is written in into code that passes it without helpers
 * that need Symbol, Array.from, Map, Set, Promise or Reflect.
 */
import { describe, expect, it } from 'vitest';
import { checkEngineProfile } from '../../tools/image/es5-check.ts';
import { minifyEs5 } from '../../tools/image/bundle.ts';
import { lowerToEs5 } from '../../tools/image/lower.ts';

/** Wraps a sample like an image: everything inside one function, no new globals. */
function inImage(body: string): string {
  return `var wristpay;(function(){${body}})();`;
}

describe('checkEngineProfile', () => {
  it('accepts plain ES5 with typed arrays, accessors and the image globals', () => {
    const ok = inImage(`var u = new Uint8Array(4), d = new DataView(u.buffer); d.setUint16(0, 258);
      var o = { get n() { return 1; }, set n(v) {}, 'k': 2, 3: 4 };
      try { hal.log.log(JSON.stringify([u.subarray(1), o.n, Math.floor(1.5)])); } catch (e) {}
      for (var k in o) {} label: do { break label; } while (false);
      var f = Object.assign ? Object.assign.bind() : function () {};
      wristpay = { status: function () { return '{}'; } };`);
    expect(checkEngineProfile(ok)).toEqual([]);
  });

  const refused: Array<[string, string, RegExp]> = [
    ['arrow', 'var f = (x) => x;', /ArrowFunctionExpression/],
    ['class', 'class A {}', /ClassDeclaration/],
    ['let', 'let a = 1;', /`let` declaration/],
    ['const', 'const a = 1;', /`const` declaration/],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: source text with a template literal, on purpose
    ['template literal', 'var s = `a${1}`;', /TemplateLiteral/],
    ['BigInt literal', 'var b = 1n;', /BigIntLiteral/],
    ['BigInt global', 'var b = BigInt(1);', /global `BigInt`/],
    ['generator', 'function* g() { yield 1; }', /generator/],
    ['async', 'async function g() { await 1; }', /async function|AwaitExpression/],
    ['Proxy', 'var p = new Proxy({}, {});', /global `Proxy`/],
    ['Reflect', 'Reflect.ownKeys({});', /global `Reflect`/],
    ['Symbol', 'var s = Symbol("x");', /global `Symbol`/],
    ['TextEncoder', 'new TextEncoder();', /global `TextEncoder`/],
    ['TextDecoder', 'new TextDecoder();', /global `TextDecoder`/],
    ['require', 'require("fs");', /global `require`/],
    ['process', 'process.exit(1);', /global `process`/],
    ['Promise', 'Promise.resolve(1);', /global `Promise`/],
    ['Map', 'new Map();', /global `Map`/],
    ['Set', 'new Set();', /global `Set`/],
    ['globalThis', 'globalThis.x = 1;', /global `globalThis`/],
    ['Math.imul', 'Math.imul(2, 3);', /Math\.imul/],
    ['Array.from', 'Array.from([1]);', /Array\.from/],
    ['String#padStart', '"1".padStart(2, "0");', /padStart/],
    ['spread', 'f(...a);', /SpreadElement/],
    ['destructuring', 'var { a } = o;', /destructuring/],
    ['for-of', 'for (var x of a) {}', /ForOfStatement/],
    ['shorthand property', 'var o = { a };', /shorthand property/],
    ['method shorthand', 'var o = { m() {} };', /method shorthand/],
    ['computed key', 'var o = { [k]: 1 };', /computed property key/],
    ['default parameter', 'function f(a = 1) {}', /default, rest or destructured/],
    ['exponent', 'var x = 2 ** 3;', /exponent/],
    ['optional chaining', 'var x = a?.b;', /OptionalMemberExpression|optional chaining/],
    ['nullish', 'var x = a ?? b;', /nullish/],
    ['regular expression', 'var r = /a+/g;', /regular expression \/a\+\/g/],
    ['Date', 'var d = Date.now();', /global `Date`/],
    ['RegExp', 'var r = new RegExp("a");', /global `RegExp`/],
    ['binary literal', 'var n = 0b101;', /numeric literal/],
    ['code point escape', 'var s = "\\u{1F600}";', /\\u\{/],
    ['implicit global', 'leaked = 1;', /global `leaked`/],
  ];
  for (const [name, body, pattern] of refused) {
    it(`refuses ${name}`, () => {
      const problems = checkEngineProfile(inImage(body));
      expect(problems.join('\n')).toMatch(pattern);
    });
  }

  // The minifier reads often-used built-ins into locals at the top of the image, so one an
  // engine lacks stops the whole image at boot there (issue 16: Espruino and RangeError).
  it('refuses RangeError, naming the engine that lacks it', () => {
    expect(checkEngineProfile(inImage('throw new RangeError("x");'))).toEqual([
      'global `RangeError` is missing on Espruino 2v29',
    ]);
  });

  for (const name of ['EvalError', 'URIError', 'encodeURI', 'decodeURI']) {
    it(`refuses ${name}, which Espruino lacks`, () => {
      expect(checkEngineProfile(inImage(`var x = ${name};`))).toEqual([
        `global \`${name}\` is missing on Espruino 2v29`,
      ]);
    });
  }

  it('accepts the error constructors every target engine has', () => {
    const body = 'var e = [Error, TypeError, SyntaxError, ReferenceError, encodeURIComponent];';
    expect(checkEngineProfile(inImage(body))).toEqual([]);
  });

  it('refuses a second top-level global', () => {
    expect(checkEngineProfile('var wristpay; var extra = 1; function helper() {}')).toEqual([
      'top-level declaration `extra` would be a global at 1:15',
      'top-level declaration `helper` would be a global at 1:30',
    ]);
  });

  it('reports unparseable input instead of throwing', () => {
    expect(checkEngineProfile('var = ;')[0]).toMatch(/not parseable/);
  });
});

describe('lowerToEs5 + minifyEs5', () => {
  const modern = `"use strict";
    class Base { constructor(n) { this.n = n; } get twice() { return this.n * 2; } static make(n) { return new this(n); } }
    class Derived extends Base { extra = [1, 2]; #secret = 3; constructor(n) { super(n + 1); } plus() { return super.toString() + this.#secret; } get twice() { return this.n * 2 + this.#secret; } }
    class Oops extends TypeError { constructor(m) { super(m); this.name = 'Oops'; } }
    const { n, ...rest } = { n: 1, a: 2, b: 3 };
    const [first, , third = 9, ...others] = [1, 2, undefined, 4, 5];
    const merged = { ...rest, n, ['k' + n]: true, m() { return this.n; } };
    const list = [...others, ...[6]];
    let sum = 0;
    for (const x of list) sum += x;
    for (const [i, v] of [[0, 'a'], [1, 'b']]) sum += i;
    const bytes = new Uint8Array([1, 2, 3]);
    for (const b of bytes) sum += b;
    const spreadBytes = [...bytes, ...'ab', 0];
    const label = \`sum=\${sum} 2**3=\${2 ** 3} \${merged?.m?.() ?? 'none'}\`;
    const fns = []; for (let i = 0; i < 3; i++) fns.push(() => i);
    let caught = null; try { throw new Oops('x'); } catch (e) { caught = [e instanceof Oops, e instanceof TypeError, e.message]; }
    wristpay = { status: () => JSON.stringify([Derived.make(1).twice, first, third, label, fns.map((f) => f()), Object.keys(merged), caught, spreadBytes, Derived.make(0).plus(), ((a = 5, ...r) => a + r.length)()]) };`;

  it('lowers classes, fields, destructuring, spread, for-of and templates into profile-clean ES5', async () => {
    const lowered = lowerToEs5(modern);
    expect(checkEngineProfile(lowered)).toEqual([]);
    const minified = await minifyEs5(lowered);
    expect(checkEngineProfile(minified)).toEqual([]);
    for (const word of [
      'Symbol',
      'Array.from',
      'Map',
      'Set',
      'Promise',
      'Reflect',
      '=>',
      'class ',
      'const ',
      'let ',
      '`',
    ]) {
      expect(minified, word).not.toContain(word);
    }
  });

  it('keeps the meaning (checked in the host engine)', async () => {
    const code = await minifyEs5(lowerToEs5(modern));
    const run = new Function(`${code}; return wristpay.status();`) as () => string;
    expect(JSON.parse(run())).toEqual([
      7,
      1,
      9,
      'sum=22 2**3=8 1',
      [0, 1, 2],
      ['a', 'b', 'n', 'k1', 'm'],
      [true, true, 'x'],
      [1, 2, 3, 'a', 'b', 0],
      '[object Object]3',
      5,
    ]);
  });

  it('lowers subclasses of two different native errors (Error first, then TypeError)', async () => {
    // The ES5 base helper was once named like the `extends Error` local, which broke the second base.
    const code = await minifyEs5(
      lowerToEs5(`class A extends Error {} class B extends TypeError {}
      const r = []; try { throw new B('b'); } catch (e) { r.push(e instanceof B, e instanceof TypeError, e.message); }
      try { throw new A('a'); } catch (e) { r.push(e instanceof A, e instanceof Error, e instanceof TypeError, e.message); }
      wristpay = r;`),
    );
    expect(new Function(`${code}; return wristpay;`)()).toEqual([true, true, 'b', true, true, false, 'a']);
  });

  it('refuses super property reads, which loose lowering gets wrong', () => {
    expect(() =>
      lowerToEs5('class A { get x() { return 1; } } class B extends A { get x() { return super.x + 1; } }'),
    ).toThrow(/super property read/);
  });

  it('names the cause when a construct needs a forbidden helper', () => {
    const problems = checkEngineProfile(
      lowerToEs5('class L extends Array {}; function f(X, a) { return new X(...a); }'),
    );
    expect(problems.join('\n')).toMatch(/_wrapNativeSuper: a class extends a built-in/);
    expect(problems.join('\n')).toMatch(/_construct: spread arguments in a `new` expression/);
  });
});
