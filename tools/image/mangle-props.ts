/**
 * Property-name mangling for the image (esbuild `mangleProps`), without renaming anything
 * in the sources: every property name is shortened except those that can be seen from
 * outside the image. Property names were ~14 KB of the minified image (`.refuseClear`,
 * `.groupPages`, `.writeOffset`…); the image is a closed world, so a name only needs
 * keeping where something other than the image's own code reads or writes it:
 *
 * 1. the host: every member of the HAL (firmware/hal.ts), the status snapshot and the
 *    config overrides (firmware/boot.ts, firmware/config.ts), and whatever the entry file
 *    itself declares (its `wristpay` object, the probe's status JSON): every name declared
 *    in an interface, type literal, object literal or class of those files;
 * 2. the engine: every own property name of the built-in constructors and prototypes
 *    (taken from the build's own Node, a superset of ES5's; but for `entries`/`values`,
 *    see BUILTIN_NAMES_FREED), plus names engines read implicitly (`stack`, `toJSON`…)
 *    and what the hosts read off guest errors;
 * 3. names held in strings: every string literal in the lowered code that could be a
 *    property name (`o["x"]`, `"x" in o`, Babel's `defineProperty(o, "size", …)` for
 *    getters).
 *
 * What this relies on, checked by `mangleSafetyProblems` on the bundle (the build refuses
 * to mangle when it finds one): no property key is built at run time from strings
 * (`o["on" + name]`, template keys, `String(x)` keys), JSON.parse is not used (its result
 * has the host's names), and JSON.stringify appears only in the entry file (whose names
 * are kept). test/image/real-image.test.ts runs the mangled image against the TypeScript
 * firmware byte for byte. `--no-mangle-props` (or `mangleProps: false`) turns it off.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSync, traverse, types as t, type NodePath } from '@babel/core';

/** Source files whose declared names are the image's interface to the host. */
export const BOUNDARY_FILES = ['firmware/hal.ts', 'firmware/boot.ts', 'firmware/config.ts'];

/**
 * Names the engine or the hosts (sim/engine/) read or write on the image's own objects,
 * which are not names of any built-in: property descriptors (`Object.defineProperty`,
 * which Babel's getter helper calls with `{ configurable, enumerable }`), regular
 * expression results, the iterator protocol, what JSON, String() and the hosts call or
 * read on guest values (`toJSON`, `stack`, `lineNumber`), and the image's globals.
 */
const ENGINE_NAMES = [
  'configurable',
  'enumerable',
  'writable',
  'value',
  'get',
  'set',
  'index',
  'input',
  'lastIndex',
  'next',
  'done',
  'return',
  'throw',
  'toJSON',
  'toString',
  'valueOf',
  'constructor',
  'prototype',
  'length',
  'name',
  'message',
  'stack',
  'cause',
  'callee',
  'caller',
  'arguments',
  '__proto__',
  'lineNumber',
  'fileName',
  'columnNumber',
  'wristpay',
  'hal',
  'wristpayConfig',
  'status',
];

const BUILTINS: unknown[] = [
  Object,
  Function,
  Array,
  String,
  Boolean,
  Number,
  Math,
  Date,
  RegExp,
  JSON,
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
  ArrayBuffer,
  DataView,
  Uint8Array,
  Int8Array,
  Uint8ClampedArray,
  Uint16Array,
  Int16Array,
  Uint32Array,
  Int32Array,
  Float32Array,
  Float64Array,
];

const IDENT = /^[A-Za-z_$][\w$]*$/;

/**
 * Built-in names the image may still use for its own properties: ES2015 iterator methods
 * (`[].entries()`, `[].values()`) return iterators, which are useless without Symbol and
 * for-of (refused by the profile), while `wallet.entries` and `CborMap.values` are read
 * 58 times (~440 bytes). `Object.entries/values` are refused by ./es5-check.ts anyway.
 */
const BUILTIN_NAMES_FREED = new Set(['entries', 'values']);

function builtinNames(): string[] {
  const names: string[] = [];
  for (const b of BUILTINS) {
    names.push(...Object.getOwnPropertyNames(b));
    const proto = (b as { prototype?: object }).prototype;
    if (proto) names.push(...Object.getOwnPropertyNames(proto));
  }
  // The typed arrays' shared prototype (%TypedArray%.prototype: set, subarray, byteOffset…).
  names.push(...Object.getOwnPropertyNames(Object.getPrototypeOf(Uint8Array.prototype) as object));
  return names.filter((n) => !BUILTIN_NAMES_FREED.has(n));
}

/** Every key declared in `file` (interfaces, type literals, object literals, classes). */
function declaredNames(source: string, filename: string): string[] {
  const ast = parseSync(source, {
    configFile: false,
    babelrc: false,
    filename,
    sourceType: 'module',
    parserOpts: { plugins: ['typescript'] },
  });
  const names: string[] = [];
  if (!ast) return names;
  traverse(ast, {
    enter(p: NodePath) {
      const n = p.node;
      if (
        t.isTSPropertySignature(n) ||
        t.isTSMethodSignature(n) ||
        t.isObjectProperty(n) ||
        t.isObjectMethod(n) ||
        t.isClassProperty(n) ||
        t.isClassMethod(n)
      ) {
        if (t.isIdentifier(n.key)) names.push(n.key.name);
        else if (t.isStringLiteral(n.key)) names.push(n.key.value);
      }
    },
  });
  return names;
}

/** The repository root (this file is tools/image/mangle-props.ts). */
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Names the host or the engine may use on the image's objects (1 and the engine names of
 * 2 in the header), without the built-ins. ./dead-methods.ts keeps methods of these names.
 * `entry`, when given, is read as given (relative to the cwd).
 */
export function boundaryNames(entry?: string, root = REPO_ROOT): Set<string> {
  const names = new Set<string>(ENGINE_NAMES);
  for (const file of [...BOUNDARY_FILES.map((f) => join(root, f)), ...(entry ? [entry] : [])]) {
    for (const n of declaredNames(readFileSync(file, 'utf8'), file)) names.add(n);
  }
  return names;
}

/** The names the image must keep (see the header). */
export function reservedPropertyNames(lowered: string, entry: string, root = REPO_ROOT): Set<string> {
  const reserved = new Set<string>([...boundaryNames(entry, root), ...builtinNames()]);
  const ast = parseSync(lowered, { configFile: false, babelrc: false, sourceType: 'script' });
  if (ast) {
    traverse(ast, {
      StringLiteral(p: NodePath<t.StringLiteral>) {
        if (IDENT.test(p.node.value)) reserved.add(p.node.value);
      },
    });
  }
  return reserved;
}

/** esbuild options: mangle every property but the reserved ones. */
export function manglePropsOptions(reserved: Set<string>): { mangleProps: RegExp; reserveProps: RegExp } {
  const list = [...reserved]
    .filter((n) => IDENT.test(n))
    .sort()
    .map((n) => n.replace(/\$/g, '\\$'));
  return { mangleProps: /^[A-Za-z_$]/, reserveProps: new RegExp(`^(?:${list.join('|')})$`) };
}

/** True for an expression that builds a string at run time (a key no reserve list can see). */
export function buildsString(n: t.Node): boolean {
  if (t.isTemplateLiteral(n)) return n.expressions.length > 0;
  if (t.isBinaryExpression(n) && n.operator === '+') {
    return t.isStringLiteral(n.left) || t.isStringLiteral(n.right) || buildsString(n.left) || buildsString(n.right);
  }
  if (t.isCallExpression(n)) {
    const c = n.callee;
    if (t.isIdentifier(c, { name: 'String' })) return true;
    if (t.isMemberExpression(c) && !c.computed && t.isIdentifier(c.property)) {
      return [
        'toString',
        'concat',
        'join',
        'slice',
        'substring',
        'substr',
        'charAt',
        'fromCharCode',
        'toLowerCase',
        'toUpperCase',
        'replace',
        'trim',
      ].includes(c.property.name);
    }
  }
  return false;
}

/**
 * Why mangling would not be safe for this bundle (esbuild's unlowered output, with its
 * `// path` module comments); empty when it is. `entryModule` is the entry's marker path.
 */
export function mangleSafetyProblems(bundle: string, entryModule: string): string[] {
  const problems: string[] = [];
  const ast = parseSync(bundle, { configFile: false, babelrc: false, sourceType: 'script' });
  if (!ast) return ['bundle does not parse'];
  const markers = (ast.comments ?? [])
    .filter((c) => c.type === 'CommentLine' && /^\s*[\w@./-]+\.[cm]?[jt]sx?\s*$/.test(c.value))
    .map((c) => ({ at: c.start ?? 0, path: c.value.trim() }));
  const moduleAt = (pos: number) => markers.filter((m) => m.at <= pos).pop()?.path ?? '?';
  const where = (n: t.Node) => `${moduleAt(n.start ?? 0)}${n.loc ? ` (bundle line ${n.loc.start.line})` : ''}`;
  const entry = entryModule.replace(/\\/g, '/').replace(/^\.\//, '');
  // Markers are relative to the cwd, the entry may be absolute: compare path suffixes.
  const isEntry = (m: string) => m === entry || entry.endsWith('/' + m) || m.endsWith('/' + entry);
  traverse(ast, {
    MemberExpression(p: NodePath<t.MemberExpression>) {
      const n = p.node;
      if (n.computed && buildsString(n.property)) problems.push(`property key built at run time in ${where(n)}`);
      if (t.isIdentifier(n.object, { name: 'JSON' }) && t.isIdentifier(n.property, { name: 'parse' }))
        problems.push(`JSON.parse in ${where(n)}`);
      if (
        t.isIdentifier(n.object, { name: 'JSON' }) &&
        t.isIdentifier(n.property, { name: 'stringify' }) &&
        !isEntry(moduleAt(n.start ?? 0))
      ) {
        problems.push(`JSON.stringify outside the entry file, in ${where(n)}`);
      }
    },
    BinaryExpression(p: NodePath<t.BinaryExpression>) {
      if (p.node.operator === 'in' && buildsString(p.node.left))
        problems.push(`\`in\` with a key built at run time in ${where(p.node)}`);
    },
  });
  return problems;
}
