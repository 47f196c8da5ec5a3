/**
 * Where things are in esbuild's bundle, for the image-size plugins (./inline-constants.ts,
 * ./strip-details.ts), which run on the bundle before any lowering.
 *
 * - The bundle's top level: esbuild's IIFE (`(() => { … })();`) puts every module's
 *   top-level declarations in one arrow function; that function's scope plays the part of
 *   the program scope. Any other program (a test's snippet) is its own top level.
 * - Which source file a top-level statement came from: unminified esbuild output puts a
 *   `// shared/status/error.ts` comment before each module's code. A plugin that wants
 *   "the `fail` declared in shared/status/error.ts" uses this instead of guessing from
 *   names, because esbuild renames colliding top-level symbols (`fail2`).
 */
import { types as t, type NodePath, type Scope } from '@babel/core';

export interface BundleTop {
  /** The scope holding the bundle's top-level declarations. */
  scope: Scope;
  /** The top-level statements (of the IIFE body, or of the program). */
  body: t.Statement[];
  /** Source file of a top-level statement, from esbuild's path comments; null if unknown. */
  moduleOf(stmt: t.Statement): string | null;
}

/** A comment that is exactly a relative source path, like esbuild's module markers. */
const MODULE_MARKER = /^[\w@.-]+(?:\/[\w@.-]+)*\.(?:[cm]?[jt]sx?)$/;

/** The IIFE function esbuild wraps the bundle in, when the program is exactly that. */
function iifeFunction(program: t.Program): t.ArrowFunctionExpression | t.FunctionExpression | null {
  const stmts = program.body.filter((s) => !t.isEmptyStatement(s));
  if (stmts.length !== 1 || !t.isExpressionStatement(stmts[0])) return null;
  const call = stmts[0].expression;
  if (!t.isCallExpression(call) || call.arguments.length !== 0) return null;
  const fn = call.callee;
  if (
    (t.isArrowFunctionExpression(fn) || t.isFunctionExpression(fn)) &&
    t.isBlockStatement(fn.body) &&
    fn.params.length === 0
  )
    return fn;
  return null;
}

/** The bundle's top level for a Program path (call from a Program visitor). */
export function bundleTop(program: NodePath<t.Program>): BundleTop {
  const fn = iifeFunction(program.node);
  let scope = program.scope;
  let body = program.node.body;
  if (fn && t.isBlockStatement(fn.body)) {
    body = fn.body.body;
    // The function is the first one a traversal meets; its path carries its scope.
    let found: Scope | null = null;
    program.traverse({
      'ArrowFunctionExpression|FunctionExpression'(p: NodePath) {
        if (p.node === fn) found = p.scope;
        p.stop();
      },
    });
    if (found) scope = found;
  }

  // Markers: path comments between top-level statements (never inside one, where a
  // comment that happens to be a path would be the module's own text).
  const file = program.parent as t.File;
  const markers: Array<{ at: number; path: string }> = [];
  for (const c of file.comments ?? []) {
    if (c.type !== 'CommentLine' || c.start == null) continue;
    const text = c.value.trim();
    if (!MODULE_MARKER.test(text)) continue;
    const inside = body.some((s) => s.start != null && s.end != null && s.start < c.start! && c.start! < s.end);
    if (!inside) markers.push({ at: c.start, path: text });
  }
  markers.sort((a, b) => a.at - b.at);

  return {
    scope,
    body,
    moduleOf(stmt) {
      if (stmt.start == null) return null;
      let path: string | null = null;
      for (const m of markers) {
        if (m.at > stmt.start) break;
        path = m.path;
      }
      return path;
    },
  };
}

/** True when `file` (a marker's path) is the source file `suffix` names (`shared/status/error.ts`). */
export function isModule(file: string | null, suffix: string): boolean {
  return file !== null && (file === suffix || file.endsWith('/' + suffix));
}
