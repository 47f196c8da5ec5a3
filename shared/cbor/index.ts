/**
 * The CBOR codec the band and the hosts share (RFC 8949, deterministic profile §4.2.1).
 * ES5-safe: this barrel is what the firmware bundles. host.ts (cbor-x) is deliberately
 * not re-exported; Node code imports it directly.
 */
export * from './types.ts';
export { decodeCbor, decodeCborPrefix } from './decode.ts';
export type { DecodeOptions } from './decode.ts';
export { encodeCbor } from './encode.ts';
export { toDiagnostic } from './diagnostic.ts';
