/**
 * The engine-profile check on the final image text (docs/FIRMWARE-IMAGE.md, "What firmware
 * code may use").
 *
 * acorn is not installed, so the text is parsed with Babel's parser and every node is
 * held to an ES5 whitelist: anything newer (arrows, classes, let/const, templates,
 * spread, destructuring, for-of, generators, async, `**`, `?.`, `??`, shorthand or
 * computed keys, 0b/0o literals, \u{…} escapes) is refused, and so are regular expressions
 * (the band's engine has no RegExp: sim/engine/quickjs-profile.ts). Then the
 * free identifiers are held to the built-ins every target engine has (./engine-builtins.ts:
 * ES5's globals and typed arrays, less what one of them lacks, e.g. Espruino's RangeError),
 * `hal` and `wristpay` (so Symbol, Map, Set, Promise, Reflect, Proxy, BigInt, TextEncoder,
 * require, process… are refused), and calls of ES2015+ built-ins that engines lack (Math.imul,
 * Array.from, "abc".startsWith…) are refused unless feature-detected.
 * Not detectable without types: TypedArray.prototype.slice (use subarray + set).
 */
import { parseSync, traverse, types as t, type NodePath, type Scope } from '@babel/core';
import { enginesLacking, someEngineHas } from './engine-builtins.ts';
import { IMAGE_GLOBAL } from './lower.ts';

/** Globals the host defines for the image, besides the engines' built-ins (./engine-builtins.ts). */
const HOST_GLOBALS = new Set([
  'hal',
  IMAGE_GLOBAL,
  // Optional configuration overrides the host may define before evaluating the image.
  'wristpayConfig',
]);

/** Static members of ES5 globals that are ES2015+ (absent in Duktape/Espruino). */
const BANNED_STATICS = new Set([
  'Math.imul',
  'Math.clz32',
  'Math.fround',
  'Math.trunc',
  'Math.sign',
  'Math.log2',
  'Math.log10',
  'Math.hypot',
  'Math.cbrt',
  'Array.from',
  'Array.of',
  'Object.assign',
  'Object.entries',
  'Object.values',
  'Object.getOwnPropertySymbols',
  'Object.fromEntries',
  'Object.is',
  'Number.isInteger',
  'Number.isSafeInteger',
  'Number.isFinite',
  'Number.isNaN',
  'Number.MAX_SAFE_INTEGER',
  'Number.MIN_SAFE_INTEGER',
  'Number.EPSILON',
  'String.fromCodePoint',
  'String.raw',
  'ArrayBuffer.isView',
]);

/**
 * ES2015+ prototype methods that are unlikely names for our own methods. `entries` and
 * `values` (iterator methods) are also names the image mangles as its own properties
 * (./mangle-props.ts), so calling the built-ins would break: refused here.
 */
const BANNED_METHODS = new Set([
  'includes',
  'startsWith',
  'endsWith',
  'padStart',
  'padEnd',
  'repeat',
  'findIndex',
  'fill',
  'copyWithin',
  'codePointAt',
  'trimStart',
  'trimEnd',
  'flatMap',
  'entries',
  'values',
]);

const ASSIGN_OPS = new Set(['=', '+=', '-=', '*=', '/=', '%=', '<<=', '>>=', '>>>=', '|=', '^=', '&=']);

/** Node types ES5 has; everything else is refused. */
const ES5_NODES = new Set([
  'File',
  'Program',
  'Directive',
  'DirectiveLiteral',
  'ExpressionStatement',
  'BlockStatement',
  'EmptyStatement',
  'DebuggerStatement',
  'WithStatement',
  'ReturnStatement',
  'LabeledStatement',
  'BreakStatement',
  'ContinueStatement',
  'IfStatement',
  'SwitchStatement',
  'SwitchCase',
  'ThrowStatement',
  'TryStatement',
  'CatchClause',
  'WhileStatement',
  'DoWhileStatement',
  'ForStatement',
  'ForInStatement',
  'FunctionDeclaration',
  'FunctionExpression',
  'VariableDeclaration',
  'VariableDeclarator',
  'Identifier',
  'StringLiteral',
  'NumericLiteral',
  'BooleanLiteral',
  'NullLiteral',
  'RegExpLiteral',
  'ThisExpression',
  'ArrayExpression',
  'ObjectExpression',
  'ObjectProperty',
  'ObjectMethod',
  'UnaryExpression',
  'UpdateExpression',
  'BinaryExpression',
  'AssignmentExpression',
  'LogicalExpression',
  'MemberExpression',
  'ConditionalExpression',
  'CallExpression',
  'NewExpression',
  'SequenceExpression',
]);

/** Why a node is not ES5, or null when it is. */
function syntaxProblem(node: t.Node): string | null {
  if (!ES5_NODES.has(node.type)) return `${node.type} is not ES5 syntax`;
  switch (node.type) {
    case 'VariableDeclaration':
      return node.kind === 'var' ? null : `\`${node.kind}\` declaration`;
    case 'VariableDeclarator':
      return t.isIdentifier(node.id) ? null : 'destructuring declaration';
    case 'FunctionDeclaration':
    case 'FunctionExpression':
      if (node.generator) return 'generator function';
      if (node.async) return 'async function';
      return node.params.every((p: t.Node) => t.isIdentifier(p)) ? null : 'default, rest or destructured parameter';
    case 'ObjectProperty':
      if (node.computed) return 'computed property key';
      if (node.shorthand) return 'shorthand property';
      return null;
    case 'ObjectMethod':
      if (node.kind === 'method') return 'method shorthand';
      return node.computed ? 'computed accessor key' : null;
    case 'BinaryExpression':
      return node.operator === '**' ? 'exponent operator **' : null;
    case 'LogicalExpression':
      return node.operator === '??' ? 'nullish coalescing ??' : null;
    case 'AssignmentExpression':
      if (!ASSIGN_OPS.has(node.operator)) return `assignment operator ${node.operator}`;
      return t.isIdentifier(node.left) || t.isMemberExpression(node.left) ? null : 'destructuring assignment';
    case 'MemberExpression':
    case 'CallExpression':
      return node.optional ? 'optional chaining ?.' : null;
    case 'CatchClause':
      return node.param && t.isIdentifier(node.param) ? null : 'catch without a simple binding';
    case 'RegExpLiteral':
      return `regular expression /${node.pattern}/${node.flags}: the band's engine has no RegExp`;
    case 'NumericLiteral': {
      const raw = (node.extra?.raw as string | undefined) ?? '';
      return /^0[bBoO]|_/.test(raw) ? `numeric literal ${raw}` : null;
    }
    case 'StringLiteral': {
      const raw = (node.extra?.raw as string | undefined) ?? '';
      return /\\u\{/.test(raw) ? 'string escape \\u{…}' : null;
    }
    default:
      return null;
  }
}

/**
 * `Math.imul` for a non-computed member expression on an identifier, else null. A local
 * that only ever holds a global (`var m = Math`, which ./es5-shrink.ts writes to shorten
 * the image) counts as that global, so `m.imul` is still `Math.imul`.
 */
function staticName(node: t.MemberExpression, scope?: Scope): string | null {
  if (node.computed || !t.isIdentifier(node.object) || !t.isIdentifier(node.property)) return null;
  return `${globalAlias(node.object.name, scope)}.${node.property.name}`;
}

function globalAlias(name: string, scope: Scope | undefined): string {
  const b = scope?.getBinding(name);
  if (!b || b.constantViolations.length > 0 || !t.isVariableDeclarator(b.path.node)) return name;
  const init = b.path.node.init;
  return t.isIdentifier(init) && !b.path.scope.getBinding(init.name) ? init.name : name;
}

/**
 * True when a banned static is only feature-detected: `typeof X.y`, or used inside a
 * conditional whose test is that same member (`Object.assign ? Object.assign.bind() : f`).
 */
function isFeatureDetected(path: NodePath<t.MemberExpression>, name: string): boolean {
  if (path.parentPath?.isUnaryExpression({ operator: 'typeof' })) return true;
  for (let p: NodePath | null = path.parentPath; p; p = p.parentPath) {
    const n = p.node;
    const test = t.isConditionalExpression(n) || t.isIfStatement(n) ? n.test : t.isLogicalExpression(n) ? n.left : null;
    if (test && t.isMemberExpression(test) && staticName(test, p.scope) === name) return true;
    if (p.isFunction()) break;
  }
  return false;
}

/** Why the image may not read the global `name`, or null when it may. */
function globalProblem(name: string): string | null {
  if (HOST_GLOBALS.has(name)) return null;
  if (!someEngineHas(name)) return `global \`${name}\` is not in the engine profile`;
  const lacking = enginesLacking(name);
  return lacking.length === 0 ? null : `global \`${name}\` is missing on ${lacking.join(', ')}`;
}

/** Hints for the helper names Babel injects when the source used something ES5 cannot do. */
const HELPER_HINTS: Record<string, string> = {
  _wrapNativeSuper: 'a class extends a built-in other than Error (Array, Map, Uint8Array…)',
  _construct: 'spread arguments in a `new` expression (new X(...args))',
  _createForOfIteratorHelperLoose: 'for-of over something Babel could not treat as an array',
  _regenerator: 'a generator or async function',
  _typeof: 'a typeof that needed the Symbol-aware helper',
};

/** All engine-profile problems in `code` (empty when it passes). Never throws. */
export function checkEngineProfile(code: string): string[] {
  const problems: string[] = [];
  let ast: t.File | null;
  try {
    ast = parseSync(code, { configFile: false, babelrc: false, sourceType: 'script' });
  } catch (err) {
    return [`not parseable as a script: ${(err as Error).message}`];
  }
  if (!ast) return ['parser returned nothing'];
  const where = (n: t.Node) => (n.loc ? ` at ${n.loc.start.line}:${n.loc.start.column + 1}` : '');

  for (const stmt of ast.program.body) {
    const names = t.isVariableDeclaration(stmt)
      ? stmt.declarations.map((d) => (t.isIdentifier(d.id) ? d.id.name : '?'))
      : t.isFunctionDeclaration(stmt) && stmt.id
        ? [stmt.id.name]
        : [];
    for (const name of names)
      if (name !== IMAGE_GLOBAL) problems.push(`top-level declaration \`${name}\` would be a global${where(stmt)}`);
  }

  traverse(ast, {
    enter(path) {
      const why = syntaxProblem(path.node);
      if (why) problems.push(`${why}${where(path.node)}`);
    },
    MemberExpression(path) {
      const name = staticName(path.node, path.scope);
      if (name && BANNED_STATICS.has(name) && !isFeatureDetected(path, name)) {
        problems.push(`${name} is not an ES5 built-in${where(path.node)}`);
      }
      const prop = path.node.property;
      if (
        !path.node.computed &&
        t.isIdentifier(prop) &&
        BANNED_METHODS.has(prop.name) &&
        path.parentPath?.isCallExpression({ callee: path.node })
      ) {
        problems.push(`.${prop.name}() is an ES2015+ method${where(path.node)}`);
      }
    },
    Program: {
      exit(path) {
        for (const name of Object.keys(path.scope.globals).sort()) {
          const why = globalProblem(name);
          if (why) problems.push(why);
        }
        for (const helper of Object.keys(HELPER_HINTS)) {
          if (code.includes(`function ${helper}(`)) problems.push(`Babel helper ${helper}: ${HELPER_HINTS[helper]}`);
        }
      },
    },
  });
  return problems;
}

/** Throws one readable error listing every problem (at most 20) when the check fails. */
export function assertEngineProfile(code: string): void {
  const problems = checkEngineProfile(code);
  if (problems.length === 0) return;
  const shown = problems
    .slice(0, 20)
    .map((p) => `  - ${p}`)
    .join('\n');
  const more = problems.length > 20 ? `\n  … and ${problems.length - 20} more` : '';
  throw new Error(`image is outside the ES5 engine profile:\n${shown}${more}`);
}
