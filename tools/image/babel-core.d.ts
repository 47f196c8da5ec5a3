/**
 * The slice of @babel/core's API the image pipeline uses. @babel/core ships no types and
 * @types/babel__core is not installed; node types come from @babel/types, which @babel/core
 * depends on and which ships its own. Delete this file if @types/babel__core is added.
 */
declare module '@babel/core' {
  import * as BabelTypes from '@babel/types';

  export { BabelTypes as types };

  /** A declared name and everything that refers to it (Babel's scope tracker). */
  export interface Binding {
    kind: 'var' | 'let' | 'const' | 'module' | 'hoisted' | 'param' | 'local' | 'unknown';
    identifier: BabelTypes.Identifier;
    /** The declarator, function declaration, class or parameter that declares the name. */
    path: NodePath;
    scope: Scope;
    /** Every read (and call, and member access) of the name. */
    referencePaths: NodePath[];
    /** Every write after the declaration (assignments, updates, redeclarations). */
    constantViolations: NodePath[];
  }

  export interface Scope {
    /** Names referenced in the program but bound nowhere (program scope only). */
    globals: Record<string, BabelTypes.Node>;
    path: NodePath;
    parent: Scope | null;
    hasBinding(name: string, noGlobals?: boolean): boolean;
    getBinding(name: string): Binding | undefined;
    /** Rebuilds the bindings of this scope and those below it after the tree changed. */
    crawl(): void;
  }

  export interface NodePath<T extends BabelTypes.Node = BabelTypes.Node> {
    node: T;
    parent: BabelTypes.Node;
    parentPath: NodePath | null;
    scope: Scope;
    isFunction(): boolean;
    isUnaryExpression(opts?: Partial<BabelTypes.UnaryExpression>): boolean;
    isCallExpression(opts?: Partial<BabelTypes.CallExpression>): boolean;
    unshiftContainer(key: 'body', nodes: BabelTypes.Statement[]): unknown;
    replaceWith(node: BabelTypes.Node): unknown;
    remove(): void;
    traverse(visitor: Visitor): void;
    /** Ends the current traversal. */
    stop(): void;
  }

  export interface PluginPass {
    set(key: string, value: unknown): void;
    get(key: string): unknown;
  }

  // biome-ignore lint/suspicious/noExplicitAny: visitor keys are node types, checked by Babel at run time
  type VisitFn = (path: NodePath<any>, state: PluginPass) => void;
  export type Visitor = Record<string, VisitFn | { enter?: VisitFn; exit?: VisitFn }>;

  export interface PluginObj {
    name?: string;
    visitor: Visitor;
  }

  export type PluginItem = unknown;

  export interface TransformOptions {
    [option: string]: unknown;
  }

  export function transformSync(code: string, opts?: TransformOptions): { code?: string | null } | null;
  export function parseSync(code: string, opts?: TransformOptions): BabelTypes.File | null;
  export function traverse(ast: BabelTypes.Node, visitor: Visitor): void;
  export const template: { statement: { ast(code: string): BabelTypes.Statement } };
}
