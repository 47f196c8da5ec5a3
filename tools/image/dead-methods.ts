/**
 * Image-size pass (on esbuild's bundle, before lowering): removes class methods, getters
 * and setters that nothing can call. esbuild tree-shakes unused functions and classes but
 * never members of a class it keeps (`Fields.optionalUint`, a journal's `freeBytes`).
 *
 * The image is a closed world: the only way to reach a method is a property access by
 * its name. A method goes when its name appears nowhere else in the bundle: not as a
 * member access (`x.name`, `super.name`), not as an object key or destructuring key, not
 * in any string (`x["name"]`, `"name" in x`). Kept regardless: names engines call by
 * themselves (`toString`, `valueOf`, `toJSON`) and names the host may call (both from
 * ./mangle-props.ts `boundaryNames`: the HAL's, `status`…), constructors, computed keys.
 * Nothing is removed at all when the bundle builds a property key at run time
 * (`x["on" + n]`), the one way left to reach a name that is not written out.
 */
import { types as t, type NodePath, type PluginObj } from '@babel/core';
import { boundaryNames, buildsString } from './mangle-props.ts';

export interface DeadMethodStats {
  removed: string[];
}

export function deadMethods(opts: { stats?: DeadMethodStats } = {}): PluginObj {
  const stats = opts.stats ?? { removed: [] };
  return {
    name: 'wristpay-dead-methods',
    visitor: {
      Program(path: NodePath<t.Program>) {
        const mentioned = new Map<string, number>();
        const mention = (n: string) => mentioned.set(n, (mentioned.get(n) ?? 0) + 1);
        const methods: Array<NodePath<t.ClassMethod>> = [];
        let dynamicKeys = false;
        path.traverse({
          ClassMethod(p: NodePath<t.ClassMethod>) {
            if (!p.node.computed && t.isIdentifier(p.node.key) && p.node.kind !== 'constructor') methods.push(p);
          },
          'MemberExpression|OptionalMemberExpression'(p: NodePath<t.MemberExpression>) {
            const k = p.node.property;
            if (!p.node.computed && t.isIdentifier(k)) mention(k.name);
            if (p.node.computed && buildsString(k)) dynamicKeys = true;
          },
          'ObjectProperty|ObjectMethod|ClassProperty'(p: NodePath<t.ObjectProperty>) {
            if (t.isIdentifier(p.node.key)) mention(p.node.key.name);
          },
          StringLiteral(p: NodePath<t.StringLiteral>) {
            mention(p.node.value);
          },
          BinaryExpression(p: NodePath<t.BinaryExpression>) {
            if (p.node.operator === 'in' && buildsString(p.node.left)) dynamicKeys = true;
          },
        });
        if (dynamicKeys || methods.length === 0) return;
        const keep = boundaryNames();
        for (const m of methods) {
          const name = (m.node.key as t.Identifier).name;
          if (keep.has(name) || mentioned.has(name)) continue;
          // A getter/setter pair shares a name: both go together, or both stay.
          m.remove();
          stats.removed.push(name);
        }
      },
    },
  };
}
