/**
 * A Babel plugin, run as its own pass before preset-env (./lower.ts), that fixes what loose ES5 lowering gets wrong
 * for the band (each was found by running lowered code, see test/image/es5-profile.test.ts):
 *
 * 1. `class X extends Error`: Babel would use `_wrapNativeSuper` (Map, Reflect.construct,
 *    absent in Duktape/Espruino); plain loose inheritance fails too, because ES5
 *    `Error.call(this, msg)` ignores `this` and returns a new object (ES5.1 §15.11.1).
 *    The superclass becomes a small ES5 base that inherits the native prototype (so
 *    `instanceof Error` holds) and copies message and stack onto `this`. Shared code
 *    throws WristpayError (shared/status/error.ts), hence the need.
 * 2. `[...x]`: under `iterableIsArray` this is `[].concat(x)`, which nests a Uint8Array
 *    or string instead of spreading it. Non-literal spread arguments go through
 *    `_wpArr(x)` (an Array stays as is, an array-like is copied with slice.call).
 * 3. `super.prop` read outside a call: loose mode reads it from the parent prototype
 *    without the right receiver, so a getter sees the prototype as `this`. Refused with
 *    a build error; `super.method(...)` calls are lowered correctly and are allowed.
 */
import { template, types as t, type NodePath, type PluginObj, type PluginPass } from '@babel/core';

const NATIVE_ERRORS = new Set([
  'Error',
  'TypeError',
  'RangeError',
  'SyntaxError',
  'ReferenceError',
  'EvalError',
  'URIError',
]);

// Not called _wpErrorBase: that is the local for `extends Error` below, and a second
// native base (`extends RangeError` after `extends Error`) would then call the class.
const ERROR_BASE = `function _wpNativeErrorBase(Base) {
  function ErrorBase(message) {
    var native = new Base(message);
    if (message !== undefined) this.message = native.message;
    if (native.stack !== undefined) this.stack = native.stack;
  }
  ErrorBase.prototype = Object.create(Base.prototype);
  ErrorBase.prototype.constructor = ErrorBase;
  return ErrorBase;
}`;

const ARRAY_OF = `function _wpArr(x) {
  return Object.prototype.toString.call(x) === '[object Array]' ? x : Array.prototype.slice.call(x);
}`;

interface Needs {
  errorBases: Map<string, string>;
  arrayOf: boolean;
}

function needs(state: PluginPass): Needs {
  return state.get('wpNeeds') as Needs;
}

export function es5Plugins(): PluginObj {
  return {
    name: 'wristpay-es5',
    visitor: {
      Program: {
        enter(_path: NodePath, state: PluginPass) {
          state.set('wpNeeds', { errorBases: new Map(), arrayOf: false } satisfies Needs);
        },
        exit(path: NodePath, state: PluginPass) {
          const n = needs(state);
          const statements: t.Statement[] = [];
          if (n.arrayOf) statements.push(template.statement.ast(ARRAY_OF));
          if (n.errorBases.size > 0) statements.push(template.statement.ast(ERROR_BASE));
          for (const [native, local] of n.errorBases) {
            const call = t.callExpression(t.identifier('_wpNativeErrorBase'), [t.identifier(native)]);
            statements.push(t.variableDeclaration('var', [t.variableDeclarator(t.identifier(local), call)]));
          }
          if (statements.length > 0) path.unshiftContainer('body', statements);
        },
      },
      Class(path: NodePath<t.Class>, state: PluginPass) {
        const sup = path.node.superClass;
        if (!sup || !t.isIdentifier(sup) || !NATIVE_ERRORS.has(sup.name)) return;
        if (path.scope.hasBinding(sup.name, true)) return; // a local binding named Error: not the built-in
        const bases = needs(state).errorBases;
        const local = bases.get(sup.name) ?? `_wp${sup.name}Base`;
        bases.set(sup.name, local);
        path.node.superClass = t.identifier(local);
      },
      SpreadElement(path: NodePath<t.SpreadElement>, state: PluginPass) {
        if (!t.isArrayExpression(path.parentPath?.node)) return; // call arguments: apply() takes array-likes
        const arg = path.node.argument;
        if (t.isArrayExpression(arg)) return;
        if (t.isCallExpression(arg) && t.isIdentifier(arg.callee, { name: '_wpArr' })) return;
        needs(state).arrayOf = true;
        path.node.argument = t.callExpression(t.identifier('_wpArr'), [arg]);
      },
      Super(path: NodePath<t.Super>) {
        const member = path.parentPath;
        if (!member || !t.isMemberExpression(member.node)) return; // super(...) constructor call
        const call = member.parentPath?.node;
        if (t.isCallExpression(call) && call.callee === member.node) return;
        const loc = path.node.loc ? ` (bundle line ${path.node.loc.start.line})` : '';
        throw new Error(
          `super property read outside a call${loc}: loose ES5 lowering reads it with the wrong \`this\`; call super.method() or use this.prop`,
        );
      },
    },
  };
}
