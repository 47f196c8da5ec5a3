export * from './clear.ts';
export * from './bodies.ts';
