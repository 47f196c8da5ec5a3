/**
 * When may the image build drop an expression it would otherwise evaluate (a detail
 * string, ./strip-details.ts)? When evaluating it has no side effect: then dropping it
 * changes no state and no control flow.
 *
 * Accepted: literals, templates, identifiers bound in the program (and built-ins every target engine
 * has, ./engine-builtins.ts, such as `undefined` or `Error`), `this`, member reads, unary operators other than `delete`, binary and
 * logical operators, conditionals, `String(x)`, and calls of a top-level helper whose body
 * is `return <accepted expression>` (journal's `describe(e)`). Nothing else: no
 * assignments, updates, `new`, or calls of anything else.
 *
 * The one thing "no side effect" takes for granted: these expressions do not throw on the
 * path where they ran (a read of `null.x`, a `toString` that throws). Such a detail would
 * crash the host build on the same path, where the tests run it. An unbound identifier is
 * refused, since reading one throws ReferenceError.
 */
import { types as t, type Scope } from '@babel/core';
import { everyEngineHas } from './engine-builtins.ts';

const SAFE_UNARY = new Set(['!', '-', '+', '~', 'typeof', 'void']);

export function isDroppable(node: t.Node, scope: Scope, depth = 0): boolean {
  const ok = (n: t.Node | null | undefined): boolean => n == null || isDroppable(n, scope, depth);
  switch (node.type) {
    case 'StringLiteral':
    case 'NumericLiteral':
    case 'BooleanLiteral':
    case 'NullLiteral':
    case 'ThisExpression':
      return true;
    case 'Identifier':
      return everyEngineHas(node.name) || scope.getBinding(node.name) !== undefined;
    case 'TemplateLiteral':
      return node.expressions.every(ok);
    case 'MemberExpression':
      return ok(node.object) && (!node.computed || ok(node.property));
    case 'UnaryExpression':
      return SAFE_UNARY.has(node.operator) && ok(node.argument);
    case 'BinaryExpression':
      return !t.isPrivateName(node.left) && ok(node.left) && ok(node.right);
    case 'LogicalExpression':
      return ok(node.left) && ok(node.right);
    case 'ConditionalExpression':
      return ok(node.test) && ok(node.consequent) && ok(node.alternate);
    case 'CallExpression':
      return isPureCall(node, scope, depth);
    default:
      return false;
  }
}

/** `String(x)`, or a call of a top-level `function f(a, b) { return <droppable>; }`. */
function isPureCall(call: t.CallExpression, scope: Scope, depth: number): boolean {
  const args = call.arguments;
  if (!args.every((a) => !t.isSpreadElement(a) && isDroppable(a, scope, depth))) return false;
  if (!t.isIdentifier(call.callee)) return false;
  const binding = scope.getBinding(call.callee.name);
  if (!binding) return call.callee.name === 'String';
  if (depth > 2 || binding.constantViolations.length > 0) return false;
  const fn = binding.path.node;
  if (!t.isFunctionDeclaration(fn) || fn.async || fn.generator || !fn.params.every((p) => t.isIdentifier(p)))
    return false;
  const body = fn.body.body;
  if (body.length !== 1 || !t.isReturnStatement(body[0]) || !body[0].argument) return false;
  // The helper's body is judged in its own scope (its parameters are bindings there).
  const inner = binding.path.scope;
  return isDroppable(body[0].argument, inner, depth + 1);
}
