/**
 * Image-size pass on the lowered ES5 code (after preset-env, before minifying): two
 * rewrites esbuild's minifier does not do, both exact equivalences.
 *
 * 1. `this` aliasing. A function that says `this.` four or more times gets
 *    `var _wpThis = this;` first and uses the alias, which the minifier shortens to one
 *    letter: `this.x` (5 bytes + name) becomes `t.x` (2 + name), for 11 bytes once.
 *    `this` cannot change within one function, and only the function's own `this` is
 *    replaced (nested functions have their own; Babel already turned arrows into
 *    functions that use `_this`).
 * 2. Built-in aliasing. ES5 built-ins the image names often (`Uint8Array`, `Error`,
 *    `Math`…) are read once into a local at the top of the image, when that is shorter.
 *    Only built-ins every target engine defines (./engine-builtins.ts) before the
 *    image runs, and only when the image never assigns the name; never `hal`,
 *    `wristpayConfig` (optional: reading it when absent would throw) or `wristpay`.
 * 3. `void 0` (and the global `undefined`) becomes a local that is declared and never
 *    assigned, hence undefined: one letter instead of six.
 */
import { types as t, type NodePath, type PluginObj } from '@babel/core';
import { everyEngineHas } from './engine-builtins.ts';

const ALIAS_THIS_FROM = 4;

/** Built-ins worth reading into a local; each is aliased only if every target engine has it (./engine-builtins.ts). */
const ALIASABLE = new Set([
  'Object',
  'Array',
  'String',
  'Number',
  'Math',
  'JSON',
  'Error',
  'TypeError',
  'ArrayBuffer',
  'DataView',
  'Uint8Array',
  'Uint16Array',
  'Uint32Array',
  'Int8Array',
  'Int16Array',
  'Int32Array',
]);

export interface ShrinkStats {
  thisAliased: number;
  globalsAliased: string[];
  undefinedAliased: number;
}

export function es5Shrink(opts: { stats?: ShrinkStats } = {}): PluginObj {
  const stats = opts.stats ?? { thisAliased: 0, globalsAliased: [], undefinedAliased: 0 };
  return {
    name: 'wristpay-es5-shrink',
    visitor: {
      Program: {
        exit(path: NodePath<t.Program>) {
          aliasThis(path, stats);
          aliasGlobals(path, stats);
          aliasUndefined(path, stats);
        },
      },
    },
  };
}

type Fn = t.FunctionDeclaration | t.FunctionExpression;

function aliasThis(program: NodePath<t.Program>, stats: ShrinkStats): void {
  const uses = new Map<Fn, Array<NodePath<t.ThisExpression>>>();
  program.traverse({
    ThisExpression(p: NodePath<t.ThisExpression>) {
      let fn: NodePath | null = p.parentPath;
      while (fn && !fn.isFunction()) fn = fn.parentPath;
      // Arrows would share their parent's `this`; the lowered code has none, so refuse them.
      if (!fn || !(t.isFunctionDeclaration(fn.node) || t.isFunctionExpression(fn.node))) return;
      const list = uses.get(fn.node) ?? [];
      list.push(p);
      uses.set(fn.node, list);
    },
  });
  for (const [fn, list] of uses) {
    if (list.length < ALIAS_THIS_FROM) continue;
    for (const p of list) p.replaceWith(t.identifier('_wpThis'));
    fn.body.body.unshift(
      t.variableDeclaration('var', [t.variableDeclarator(t.identifier('_wpThis'), t.thisExpression())]),
    );
    stats.thisAliased++;
  }
}

function aliasGlobals(program: NodePath<t.Program>, stats: ShrinkStats): void {
  const refs = new Map<string, Array<NodePath<t.Identifier>>>();
  const assigned = new Set<string>();
  program.traverse({
    Identifier(p: NodePath<t.Identifier>) {
      const name = p.node.name;
      if (!ALIASABLE.has(name) || !everyEngineHas(name) || !isReference(p) || p.scope.getBinding(name)) return;
      const parent = p.parent;
      if ((t.isAssignmentExpression(parent) && parent.left === p.node) || t.isUpdateExpression(parent))
        assigned.add(name);
      const list = refs.get(name) ?? [];
      list.push(p);
      refs.set(name, list);
    },
  });
  const decls: t.VariableDeclarator[] = [];
  for (const [name, list] of [...refs].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    // `name` ×n versus a one-letter alias ×n plus `X=name,` once.
    if (assigned.has(name) || list.length * (name.length - 1) <= name.length + 3) continue;
    const alias = `_wp${name}`;
    for (const p of list) p.replaceWith(t.identifier(alias));
    decls.push(t.variableDeclarator(t.identifier(alias), t.identifier(name)));
    stats.globalsAliased.push(name);
  }
  if (decls.length > 0) program.node.body.unshift(t.variableDeclaration('var', decls));
}

function aliasUndefined(program: NodePath<t.Program>, stats: ShrinkStats): void {
  const uses: NodePath[] = [];
  program.traverse({
    UnaryExpression(p: NodePath<t.UnaryExpression>) {
      if (p.node.operator === 'void' && t.isNumericLiteral(p.node.argument)) uses.push(p);
    },
    Identifier(p: NodePath<t.Identifier>) {
      if (p.node.name === 'undefined' && isReference(p) && !p.scope.getBinding('undefined') && !isWrite(p))
        uses.push(p);
    },
  });
  // `var u;` costs 4 bytes (or 2 in an existing var list); each use saves 5.
  if (uses.length < 2) return;
  for (const p of uses) p.replaceWith(t.identifier('_wpUndefined'));
  program.node.body.unshift(t.variableDeclaration('var', [t.variableDeclarator(t.identifier('_wpUndefined'))]));
  stats.undefinedAliased = uses.length;
}

function isWrite(p: NodePath<t.Identifier>): boolean {
  const parent = p.parent;
  return (t.isAssignmentExpression(parent) && parent.left === p.node) || t.isUpdateExpression(parent);
}

/** True for an identifier that reads a variable (not a property name, key or label). */
function isReference(p: NodePath<t.Identifier>): boolean {
  const parent = p.parent;
  if (t.isMemberExpression(parent) && parent.property === p.node && !parent.computed) return false;
  if ((t.isObjectProperty(parent) || t.isObjectMethod(parent)) && parent.key === p.node && !parent.computed)
    return false;
  if (t.isLabeledStatement(parent) || t.isBreakStatement(parent) || t.isContinueStatement(parent)) return false;
  if (t.isFunction(parent) || t.isVariableDeclarator(parent) || t.isCatchClause(parent)) {
    // Declared names (function ids, params, var ids, catch params) are not references.
    if (t.isVariableDeclarator(parent)) return parent.init === p.node;
    return false;
  }
  return true;
}
