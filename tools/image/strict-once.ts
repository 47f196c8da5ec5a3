/**
 * One `"use strict"` for the whole image instead of one per lowered class: Babel puts the
 * directive in each class's function (13 bytes a class). Every source file of the image is
 * an ES module, so all of its code was written, and is tested under Node, as strict code;
 * Babel's helpers are strict-safe, and preset-env has already moved block-level function
 * declarations (an error in ES5 strict code) out of blocks. This plugin drops the nested
 * directives; ./lower.ts puts the one directive at the top of the image's wrapper function.
 */
import type { NodePath, PluginObj, types as t } from '@babel/core';

export const strictOnce: PluginObj = {
  name: 'wristpay-strict-once',
  visitor: {
    Directive(p: NodePath<t.Directive>) {
      if (p.node.value.value === 'use strict') p.remove();
    },
  },
};
