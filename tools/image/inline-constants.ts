/**
 * Image-size pass (runs on esbuild's bundle, before lowering): inlines constant tables.
 *
 * Shared code names its numbers through tables (`Status.MALFORMED`, `Size.ID`,
 * `MessageType.ERROR`); esbuild keeps every read as a property access, which minified is
 * still `x.MALFORMED` (11 bytes) for a value printed as `1`. For a top-level
 *
 *     var/let/const X = { A: <literal>, "B": <literal>, … }    (number, string, boolean, null, -n)
 *
 * each static read `X.A` / `X["A"]` becomes the literal. Other uses of X (Object.keys(X),
 * X[k], passing X around) leave the table in place and only the static reads are inlined;
 * when nothing else uses X, the declaration goes too. Repeated to a fixed point, so
 * `var ID = { len: Size.ID }` becomes a table of its own once Size.ID is inlined.
 *
 * Left alone (nothing inlined from the table):
 * - X reassigned or redeclared, or any member of X written through X (`X.A = 1`, `X.A++`,
 *   `delete X.A`, `X[k] = v`): it is not a constant table.
 * - values that are not literals, computed or `__proto__` keys, methods, spreads, accessors.
 * Per key, a read is left alone when it is a call (`X.A()`), when the key is missing
 * (`X.nope` stays undefined at run time), or when some object anywhere in the program has a
 * member of that name written by static name (`o.A = …`: maybe an alias of X). The
 * remaining assumption, that nothing writes a table through an alias with a computed key,
 * is what TypeScript's `as const`/readonly tables guarantee in the source.
 *
 * Size rule: a literal longer than the read it replaces is inlined only when that lets
 * the whole table go (a long string used five times would otherwise grow the image).
 */
import { types as t, type NodePath, type PluginObj } from '@babel/core';
import { bundleTop, type BundleTop } from './bundle-scope.ts';

export interface InlineStats {
  /** Static reads replaced by their literal. */
  reads: number;
  /** Table declarations removed because nothing else used them. */
  tablesRemoved: number;
}

/** The Babel plugin; pass `stats` to learn what it did. */
export function inlineConstants(opts: { stats?: InlineStats } = {}): PluginObj {
  const stats = opts.stats ?? { reads: 0, tablesRemoved: 0 };
  return {
    name: 'wristpay-inline-constants',
    visitor: {
      Program(path: NodePath<t.Program>) {
        // Each round re-reads the scope: inlining can turn another table into literals only.
        for (let round = 0; round < 8; round++) {
          if (!inlineRound(bundleTop(path), writtenMemberNames(path), stats)) break;
          path.scope.crawl();
        }
      },
    },
  };
}

type Literal = t.StringLiteral | t.NumericLiteral | t.BooleanLiteral | t.NullLiteral | t.UnaryExpression;

function isLiteralValue(v: t.Node): v is Literal {
  if (t.isStringLiteral(v) || t.isNumericLiteral(v) || t.isBooleanLiteral(v) || t.isNullLiteral(v)) return true;
  return t.isUnaryExpression(v) && (v.operator === '-' || v.operator === '+') && t.isNumericLiteral(v.argument);
}

/** The key of a non-computed or literal-keyed property, else null. */
function keyName(key: t.Node, computed: boolean): string | null {
  if (!computed && t.isIdentifier(key)) return key.name;
  if (t.isStringLiteral(key)) return key.value;
  if (t.isNumericLiteral(key)) return String(key.value);
  return null;
}

/** key → literal for an object literal made only of literal-valued plain properties. */
function literalTable(obj: t.ObjectExpression): Map<string, Literal> | null {
  const table = new Map<string, Literal>();
  for (const p of obj.properties) {
    if (!t.isObjectProperty(p) || p.shorthand) return null;
    const key = keyName(p.key, p.computed);
    if (key === null || key === '__proto__' || !isLiteralValue(p.value)) return null;
    table.set(key, p.value);
  }
  return table.size > 0 ? table : null;
}

/** Bytes a literal takes in minified output (close enough for the size rule). */
function literalCost(v: Literal): number {
  if (t.isStringLiteral(v)) return JSON.stringify(v.value).length;
  if (t.isNumericLiteral(v)) return String(v.value).length;
  if (t.isBooleanLiteral(v)) return 2; // !0 / !1
  if (t.isNullLiteral(v)) return 4;
  return 1 + literalCost(v.argument as Literal);
}

/** Bytes of a minified read `a.KEY` (the table's name mangled to one letter). */
function readCost(key: string): number {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? 2 + key.length : 3 + JSON.stringify(key).length;
}

/** True when `member` is assigned, updated, deleted or a for-in/of target. */
function isWritten(member: NodePath): boolean {
  const p = member.parent;
  if (t.isAssignmentExpression(p) && p.left === member.node) return true;
  if (t.isUpdateExpression(p)) return true;
  if (t.isUnaryExpression(p) && p.operator === 'delete') return true;
  return (t.isForInStatement(p) || t.isForOfStatement(p)) && p.left === member.node;
}

/** Every member name written by static name anywhere (`o.A = …`, `o.A++`, `delete o["A"]`). */
function writtenMemberNames(program: NodePath<t.Program>): Set<string> {
  const names = new Set<string>();
  program.traverse({
    MemberExpression(p: NodePath<t.MemberExpression>) {
      const key = keyName(p.node.property, p.node.computed);
      if (key !== null && isWritten(p)) names.add(key);
    },
  });
  return names;
}

/** One pass over the top-level tables; true when anything changed. */
function inlineRound(top: BundleTop, written: Set<string>, stats: InlineStats): boolean {
  let changed = false;
  for (const stmt of top.body) {
    if (!t.isVariableDeclaration(stmt)) continue;
    for (const decl of stmt.declarations) {
      if (!t.isIdentifier(decl.id) || !decl.init || !t.isObjectExpression(decl.init)) continue;
      const table = literalTable(decl.init);
      const binding = top.scope.getBinding(decl.id.name);
      if (!table || !binding || binding.path.node !== decl || binding.constantViolations.length > 0) continue;
      if (inlineTable(decl, table, binding.referencePaths, written, stats, () => binding.path.remove())) changed = true;
    }
  }
  return changed;
}

function inlineTable(
  decl: t.VariableDeclarator,
  table: Map<string, Literal>,
  refs: NodePath[],
  written: Set<string>,
  stats: InlineStats,
  removeDeclaration: () => void,
): boolean {
  const reads: Array<{ member: NodePath; key: string }> = [];
  let otherUses = 0;
  for (const ref of refs) {
    const member = ref.parentPath;
    const m = member?.node;
    if (!member || !t.isMemberExpression(m) || m.object !== ref.node) {
      otherUses++; // Object.keys(X), f(X), X?.A, …: the table must stay
      continue;
    }
    if (isWritten(member)) return false; // written through X: not a constant table
    const key = keyName(m.property, m.computed);
    const call = member.parent;
    const isCallee = (t.isCallExpression(call) || t.isNewExpression(call)) && call.callee === m;
    if (key === null || !table.has(key) || isCallee || written.has(key) || t.isTaggedTemplateExpression(call))
      otherUses++;
    else reads.push({ member, key });
  }
  if (reads.length === 0) return false;

  // Size rule: everything when dropping the table pays for the literals, else the cheap keys.
  const cost = (k: string) => literalCost(table.get(k)!);
  let inlineAll = false;
  if (otherUses === 0) {
    const tableBytes = 4 + [...table.keys()].reduce((n, k) => n + readCost(k) + cost(k), 0);
    const inlined = reads.reduce((n, r) => n + cost(r.key), 0);
    const kept = tableBytes + reads.reduce((n, r) => n + readCost(r.key), 0);
    inlineAll = inlined <= kept;
  }
  let done = 0;
  for (const r of reads) {
    if (!inlineAll && cost(r.key) > readCost(r.key)) continue;
    r.member.replaceWith(t.cloneNode(table.get(r.key)!));
    done++;
  }
  stats.reads += done;
  if (otherUses === 0 && done === reads.length && t.isObjectExpression(decl.init)) {
    removeDeclaration(); // only literals in it: removing it has no side effect
    stats.tablesRemoved++;
  }
  return done > 0;
}
