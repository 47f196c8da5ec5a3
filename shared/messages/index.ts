export * from './clear.ts';
export * from './bodies.ts';
export { Fields } from './fields.ts';
export type { FieldOptions } from './fields.ts';
export { decodeProtocolMap, readHeader, messageMap, defaultEncoder } from './envelope.ts';
export type { Encoder } from './envelope.ts';
