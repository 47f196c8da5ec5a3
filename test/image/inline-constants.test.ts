/**
 * The constant-table pass (tools/image/inline-constants.ts) on small programs: what it
 * inlines, what it must leave alone, and that the program computes the same either way.
 */
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { transformSync } from '@babel/core';
import { inlineConstants, type InlineStats } from '../../tools/image/inline-constants.ts';

function inline(code: string): { code: string; stats: InlineStats } {
  const stats: InlineStats = { reads: 0, tablesRemoved: 0 };
  const out = transformSync(code, {
    configFile: false,
    babelrc: false,
    sourceType: 'script',
    compact: true,
    plugins: [inlineConstants({ stats })],
  });
  return { code: out!.code!, stats };
}

/** Runs a program that leaves its answer in `result`. */
function run(code: string): unknown {
  const ctx: { result?: unknown } = {};
  vm.runInNewContext(code, ctx);
  return JSON.stringify(ctx.result);
}

/** Inlines and checks that the program's result did not change. */
function same(code: string): { code: string; stats: InlineStats } {
  const r = inline(code);
  expect(run(r.code)).toBe(run(code));
  return r;
}

describe('inlineConstants', () => {
  it('replaces every static read and drops a table nothing else uses', () => {
    const r = same(`var Status = { OK: 0, MALFORMED: 1, 'NOT-IDENT': 7, NEG: -2 };
      var result = [Status.MALFORMED, Status["OK"], Status['NOT-IDENT'], Status.NEG, Status.MALFORMED + 1];`);
    expect(r.code).not.toContain('Status');
    expect(r.code).toContain('[1,0,7,-2,1+1]');
    expect(r.stats).toEqual({ reads: 5, tablesRemoved: 1 });
  });

  it("works on esbuild's IIFE bundle shape, with const and let tables", () => {
    const r = same(
      `(() => { const A = { X: 3 }; let B = { Y: 'y' }; function f() { return A.X + B.Y; } result = f(); })();`,
    );
    expect(r.code).toContain("return 3+'y'");
    expect(r.stats.tablesRemoved).toBe(2);
  });

  it('keeps a table that is used as a whole, inlining only the static reads', () => {
    for (const use of ['Object.keys(T)', 'T[k]', 'f(T)', 'T']) {
      const r = same(`var T = { A: 1, B: 2 }; var k = 'B'; function f(t) { return t.B; } var result = [T.A, ${use}];`);
      expect(r.code, use).toContain('var T={A:1,B:2}');
      expect(r.code, use).toContain('[1,');
    }
  });

  it('leaves a table alone when it is written or reassigned', () => {
    for (const write of ['T.A = 5;', 'T.A++;', 'delete T.A;', 'T = { A: 9 };', 'var T;', 'for (T.A in {}) ;']) {
      const r = same(`var T = { A: 1 }; ${write} var result = T.A;`);
      expect(r.stats.reads, write).toBe(0);
    }
  });

  it('does not inline a key some object has written by name (it might be an alias of the table)', () => {
    const r = same(`var T = { A: 1, B: 2 }; function g(o) { o.A = 7; } g(T); var result = [T.A, T.B];`);
    expect(r.code).toContain('[T.A,2]');
  });

  it('leaves calls, missing keys, optional chains and non-literal tables alone', () => {
    expect(inline('var T = { A: 1 }; T.A(); T.nope; T?.A;').stats.reads).toBe(0);
    expect(inline('var T = { A: f() }; var x = T.A;').stats.reads).toBe(0);
    expect(inline('var T = { A: 1, m() {} }; var x = T.A;').stats.reads).toBe(0);
    expect(inline('var T = { ...o, A: 1 }; var x = T.A;').stats.reads).toBe(0);
    expect(inline('var T = { [k]: 1, A: 1 }; var x = T.A;').stats.reads).toBe(0);
    expect(inline('var T = { __proto__: 1 }; var x = T.__proto__;').stats.reads).toBe(0);
  });

  it('only touches top-level tables and the references that resolve to them', () => {
    const r = same(`var T = { A: 1 }; function f() { var T = { A: 2 }; return T.A; } var result = [T.A, f()];`);
    expect(r.code).toContain('[1,f()]');
    expect(r.code).toContain('var T={A:2};return T.A');
  });

  it("reaches a fixed point: a table made of another table's reads is inlined next", () => {
    const r = same('var Size = { ID: 16 }; var ID = { len: Size.ID }; var result = ID.len * 2;');
    expect(r.code).toBe('var result=16*2;');
  });

  it('does not grow the image: a long string is inlined only when its table goes', () => {
    const long = `'${'x'.repeat(40)}'`;
    const kept = same(`var L = { A: ${long} }; var result = [L.A, L.A, L.A, Object.keys(L)];`);
    expect(kept.stats.reads).toBe(0);
    const gone = same(`var L = { A: ${long}, B: 1 }; var result = [L.A, L.B, L.B];`);
    expect(gone.stats.tablesRemoved).toBe(1);
  });
});
