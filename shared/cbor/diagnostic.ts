/**
 * Diagnostic notation (RFC 8949 §8) for decoded values: for logs, the CLI's --json-less
 * output and tests. It prints the data model, not the encoding, so indefinite-length
 * strings show concatenated (§8.1 `(_ ...)` is lost once decoded), and a float that
 * holds an integer prints like the integer (the decoder returns JS numbers). ES5-safe.
 */
import { CborMap, CborSimple, CborTag, type CborValue } from './types.ts';

const HEX = '0123456789abcdef';

function hex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX.charAt(b[i] >> 4) + HEX.charAt(b[i] & 15);
  return s;
}

function number(n: number): string {
  if (n !== n) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  if (n === 0 && 1 / n < 0) return '-0.0';
  return String(n);
}

/** `h'01ff'`, `"text"`, `[1, 2]`, `{1: 2}`, `24(h'..')`, `simple(16)`, `undefined`, ... */
export function toDiagnostic(v: CborValue): string {
  if (typeof v === 'number') return number(v);
  if (typeof v === 'string') return JSON.stringify(v); // §8: JSON-like text strings
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (v instanceof Uint8Array) return "h'" + hex(v) + "'";
  if (v instanceof CborTag) return v.tag + '(' + toDiagnostic(v.value) + ')';
  if (v instanceof CborSimple) return 'simple(' + v.value + ')';
  const parts: string[] = [];
  if (v instanceof CborMap) {
    for (let i = 0; i < v.keys.length; i++) parts.push(toDiagnostic(v.keys[i]) + ': ' + toDiagnostic(v.values[i]));
    return '{' + parts.join(', ') + '}';
  }
  for (let i = 0; i < v.length; i++) parts.push(toDiagnostic(v[i]));
  return '[' + parts.join(', ') + ']';
}
