/**
 * Image-size pass (runs on esbuild's bundle, before lowering): drops diagnostic detail
 * strings that the band never shows. The host (simulator, checkout, tests running the
 * TypeScript directly) keeps them all; only the image is stripped.
 *
 * - `fail(status, detail)` from shared/status/error.ts becomes `fail(status)`: the Result
 *   then has `detail: undefined`, which every reader already allows (`detail?: string`).
 * - `x.refuse(why, status?)`, Fields' method from shared/messages/fields.ts, gets `"?"`
 *   for `why`: Fields keeps the first problem and tests it against null, so the marker must
 *   stay a non-null string; the optional status argument is kept.
 * - `refuse(reason)` from shared/cbor/reader.ts becomes `refuse()`, but only once nothing
 *   reads a `.reason` any more: the decoder throws `new Refusal(reason)` and its one reader
 *   was `fail(MALFORMED, e.reason)`, a detail dropped above. If any `.reason` read is
 *   left anywhere in the bundle, these calls keep their text.
 * - Messages of errors the band throws: `new Error(msg)` (also TypeError, RangeError, the
 *   globals, not a local of that name) becomes `new Error()`, and `new WristpayError(status,
 *   detail)` from shared/status/error.ts becomes `new WristpayError(status)` (its message is
 *   then "status 0x…"). They are programming-error reports that no band logic reads (the one
 *   reader, journal's `describe(e)`, only builds a log line); each sentence is an atom in
 *   the band's heap as well as bytes of image.
 *
 * Identity, not names: `fail` is the function declared in the bundle section that esbuild
 * marks `// shared/status/error.ts` (esbuild may rename it `fail2`), and a call is stripped
 * only when Babel's scope resolves its callee to that declaration (a local `fail` method or
 * a shadowing variable is left alone). Method calls cannot be resolved without types, so
 * `.refuse(` is stripped by a closed-world argument instead: it is done only when Fields'
 * class is the one thing in the whole bundle that defines a member named `refuse` (the
 * rest of the image's world is ES5 built-ins and the HAL, which have none: checked).
 *
 * Control flow stays the same: an argument is dropped only when evaluating it cannot have a
 * side effect (./droppable.ts); any other call is kept whole and counted in `stats.kept`.
 */
import { types as t, type Binding, type NodePath, type PluginObj } from '@babel/core';
import { bundleTop, isModule, type BundleTop } from './bundle-scope.ts';
import { isDroppable } from './droppable.ts';
import { boundaryNames } from './mangle-props.ts';

export const RESULT_MODULE = 'shared/status/error.ts';
export const FIELDS_MODULE = 'shared/messages/fields.ts';
export const CBOR_READER_MODULE = 'shared/cbor/reader.ts';
/** What `refuse` records instead of the sentence: short, non-null, truthy. */
export const REFUSE_PLACEHOLDER = '?';

export interface StripStats {
  /** `fail(status, detail)` calls that lost their detail. */
  fail: number;
  /** `.refuse(why)` calls whose `why` became the placeholder. */
  refuse: number;
  /** CBOR `refuse(reason)` calls that lost their (never read) reason. */
  cborRefuse: number;
  /** Thrown errors that lost their message. */
  thrown: number;
  /** Calls left whole because their detail might have a side effect. */
  kept: number;
  /** Top-level helpers removed because only stripped details used them. */
  helpersRemoved: number;
}

export function emptyStripStats(): StripStats {
  return { fail: 0, refuse: 0, cborRefuse: 0, thrown: 0, kept: 0, helpersRemoved: 0 };
}

export function stripDetails(opts: { stats?: StripStats } = {}): PluginObj {
  const stats = opts.stats ?? emptyStripStats();
  return {
    name: 'wristpay-strip-details',
    visitor: {
      Program(path: NodePath<t.Program>) {
        const top = bundleTop(path);
        const dropped = new Set<string>(); // top-level names read inside dropped arguments
        stripFail(top, stats, dropped);
        stripRefuse(path, top, stats, dropped);
        stripCborRefuse(path, top, stats, dropped);
        stripThrownMessages(path, top, stats, dropped);
        path.scope.crawl();
        removeUnusedHelpers(top, dropped, stats);
      },
    },
  };
}

/** The top-level binding for a declaration in `module` whose name is `base` or `base<N>`. */
function declaredIn(top: BundleTop, module: string, base: string, kind: 'function' | 'class'): Binding | null {
  const name = new RegExp(`^${base}\\d*$`);
  for (const stmt of top.body) {
    if (!isModule(top.moduleOf(stmt), module)) continue;
    let id: t.Identifier | null = null;
    if (kind === 'function' && t.isFunctionDeclaration(stmt) && stmt.id) id = stmt.id;
    if (kind === 'class' && t.isClassDeclaration(stmt) && stmt.id) id = stmt.id;
    if (kind === 'class' && t.isVariableDeclaration(stmt) && stmt.declarations.length === 1) {
      const d = stmt.declarations[0];
      if (t.isIdentifier(d.id) && t.isClassExpression(d.init)) id = d.id;
    }
    if (id && name.test(id.name)) {
      const b = top.scope.getBinding(id.name);
      return b && b.constantViolations.length === 0 ? b : null; // reassigned: not that function any more
    }
  }
  return null;
}

/** Records the top-level names an argument reads, so helpers only it used can go too. */
function noteReads(arg: t.Node, top: BundleTop, dropped: Set<string>): void {
  t.traverseFast(arg, (n) => {
    if (t.isIdentifier(n) && top.scope.getBinding(n.name)) dropped.add(n.name);
  });
}

function stripFail(top: BundleTop, stats: StripStats, dropped: Set<string>): void {
  const binding = declaredIn(top, RESULT_MODULE, 'fail', 'function');
  if (!binding) return;
  for (const ref of binding.referencePaths) {
    const call = ref.parent;
    if (!t.isCallExpression(call) || call.callee !== ref.node || call.arguments.length < 2) continue;
    const extra = call.arguments.slice(1);
    if (!extra.every((a) => isDroppable(a, ref.scope))) {
      stats.kept++;
      continue;
    }
    for (const a of extra) noteReads(a, top, dropped);
    call.arguments.length = 1;
    stats.fail++;
  }
}

/** The `refuse` method node of the Fields class, or null. */
function fieldsRefuse(binding: Binding): t.Node | null {
  const decl = binding.path.node;
  const cls = t.isVariableDeclarator(decl) ? decl.init : decl;
  if (!t.isClass(cls)) return null;
  for (const m of cls.body.body) {
    if (t.isClassMethod(m) && !m.static && !m.computed && t.isIdentifier(m.key, { name: 'refuse' })) return m;
  }
  return null;
}

/** True when `node` defines a member called `name` (method, property, accessor, assignment). */
function definesMember(node: t.Node, name: string): boolean {
  if (t.isObjectProperty(node) || t.isObjectMethod(node) || t.isClassMethod(node) || t.isClassProperty(node)) {
    const k = node.key;
    return (!node.computed && t.isIdentifier(k, { name })) || t.isStringLiteral(k, { value: name });
  }
  if (t.isAssignmentExpression(node) && t.isMemberExpression(node.left)) {
    const p = node.left.property;
    return (!node.left.computed && t.isIdentifier(p, { name })) || t.isStringLiteral(p, { value: name });
  }
  return false;
}

function stripRefuse(program: NodePath<t.Program>, top: BundleTop, stats: StripStats, dropped: Set<string>): void {
  const binding = declaredIn(top, FIELDS_MODULE, 'Fields', 'class');
  const method = binding && fieldsRefuse(binding);
  // A HAL member called `refuse` would be outside the closed world.
  if (!method || boundaryNames().has('refuse')) return;
  const calls: Array<NodePath<t.CallExpression>> = [];
  let otherDefinitions = 0;
  program.traverse({
    enter(p: NodePath) {
      if (p.node !== method && definesMember(p.node, 'refuse')) otherDefinitions++;
    },
    CallExpression(p: NodePath<t.CallExpression>) {
      const c = p.node.callee;
      if (
        t.isMemberExpression(c) &&
        !c.computed &&
        t.isIdentifier(c.property, { name: 'refuse' }) &&
        p.node.arguments.length > 0
      )
        calls.push(p);
    },
  });
  if (otherDefinitions > 0) return; // `.refuse(` might not be Fields': strip nothing
  for (const p of calls) {
    const why = p.node.arguments[0];
    if (t.isStringLiteral(why, { value: REFUSE_PLACEHOLDER })) continue;
    if (!isDroppable(why, p.scope)) {
      stats.kept++;
      continue;
    }
    noteReads(why, top, dropped);
    p.node.arguments[0] = t.stringLiteral(REFUSE_PLACEHOLDER);
    stats.refuse++;
  }
}

/** True when some `x.reason` / `x["reason"]` is read (not just assigned) anywhere. */
function isFieldRead(program: NodePath<t.Program>, field: string): boolean {
  let read = false;
  program.traverse({
    MemberExpression(p: NodePath<t.MemberExpression>) {
      const k = p.node.property;
      const named = (!p.node.computed && t.isIdentifier(k, { name: field })) || t.isStringLiteral(k, { value: field });
      const assigned = t.isAssignmentExpression(p.parent) && p.parent.left === p.node;
      if (named && !assigned) read = true;
    },
  });
  return read;
}

function stripCborRefuse(program: NodePath<t.Program>, top: BundleTop, stats: StripStats, dropped: Set<string>): void {
  const binding = declaredIn(top, CBOR_READER_MODULE, 'refuse', 'function');
  if (!binding || isFieldRead(program, 'reason')) return;
  for (const ref of binding.referencePaths) {
    const call = ref.parent;
    if (!t.isCallExpression(call) || call.callee !== ref.node || call.arguments.length === 0) continue;
    if (!call.arguments.every((a) => isDroppable(a, ref.scope))) {
      stats.kept++;
      continue;
    }
    for (const a of call.arguments) noteReads(a, top, dropped);
    call.arguments.length = 0;
    stats.cborRefuse++;
  }
}

/** The ES5 error constructors whose message argument the image drops. */
const ERROR_GLOBALS = new Set(['Error', 'TypeError', 'RangeError']);

function stripThrownMessages(
  program: NodePath<t.Program>,
  top: BundleTop,
  stats: StripStats,
  dropped: Set<string>,
): void {
  const wristpayError = declaredIn(top, RESULT_MODULE, 'WristpayError', 'class');
  program.traverse({
    NewExpression(p: NodePath<t.NewExpression>) {
      const callee = p.node.callee;
      if (!t.isIdentifier(callee)) return;
      const binding = p.scope.getBinding(callee.name);
      // The built-in, unshadowed: message is argument 0. WristpayError: detail is argument 1.
      const from = !binding && ERROR_GLOBALS.has(callee.name) ? 0 : wristpayError && binding === wristpayError ? 1 : -1;
      if (from < 0 || p.node.arguments.length <= from) return;
      const extra = p.node.arguments.slice(from);
      if (!extra.every((a) => isDroppable(a, p.scope))) {
        stats.kept++;
        return;
      }
      for (const a of extra) noteReads(a, top, dropped);
      p.node.arguments.length = from;
      stats.thrown++;
    },
  });
}

/**
 * Top-level function declarations that only dropped details called (journal's
 * `describe(e)`) are dead now; esbuild's minifier keeps unused functions that are not at
 * the top level of the minified script, and the bundle's top level is inside the IIFE.
 */
function removeUnusedHelpers(top: BundleTop, dropped: Set<string>, stats: StripStats): void {
  for (const name of dropped) {
    const b = top.scope.getBinding(name);
    if (
      b &&
      t.isFunctionDeclaration(b.path.node) &&
      b.referencePaths.length === 0 &&
      b.constantViolations.length === 0
    ) {
      b.path.remove();
      stats.helpersRemoved++;
    }
  }
}
