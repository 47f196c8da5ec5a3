/**
 * UTF-8 for the CBOR codec, written for ES5 engines (Duktape, Espruino, QuickJS):
 * no TextEncoder/TextDecoder, no String.fromCodePoint, no codePointAt.
 *
 * RFC 8949 §3.1 (major type 3) requires text strings to be valid UTF-8 (RFC 3629),
 * so the decoder refuses overlong forms, UTF-16 surrogates (U+D800–U+DFFF), code
 * points above U+10FFFF and truncated sequences, exactly the well-formed byte
 * sequences of RFC 3629 §4. The encoder refuses lone surrogates in JS strings:
 * they have no UTF-8 form, and silently replacing them would change signed data.
 */

/** Flush decoded UTF-16 units in slices: Function.prototype.apply has argument limits on small engines. */
const FLUSH = 1024;

/**
 * Decode bytes[start, end) as UTF-8. Returns null when the bytes are not valid UTF-8
 * (the caller turns that into a MALFORMED refusal; nothing here throws).
 */
export function utf8Decode(bytes: Uint8Array, start: number, end: number): string | null {
  let out = '';
  let units: number[] = [];
  let p = start;
  while (p < end) {
    const b0 = bytes[p];
    // Continuation bytes that follow the lead byte. 80–BF (stray continuation), C0/C1
    // (always overlong) and F5–FF (beyond U+10FFFF) lead nothing valid.
    const n =
      b0 < 0x80 ? 0 : b0 >= 0xc2 && b0 <= 0xdf ? 1 : b0 >= 0xe0 && b0 <= 0xef ? 2 : b0 >= 0xf0 && b0 <= 0xf4 ? 3 : -1;
    if (n < 0 || (n > 0 && p + n >= end)) return null;
    // The lead byte's payload: 7 bits alone, else 5, 4 or 3 bits (0x3f >> n).
    let cp = n === 0 ? b0 : b0 & (0x3f >> n);
    for (let i = 1; i <= n; i++) {
      const b = bytes[p + i];
      if ((b & 0xc0) !== 0x80) return null;
      cp = (cp << 6) | (b & 0x3f);
    }
    // Overlong (< U+0800) or a surrogate code point in three bytes, overlong or above
    // U+10FFFF in four: all invalid (RFC 3629 §3). Two bytes from C2 up are never overlong.
    if (n === 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) return null;
    if (n === 3 && (cp < 0x10000 || cp > 0x10ffff)) return null;
    p += n + 1;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      units.push(0xd800 | (cp >> 10), 0xdc00 | (cp & 0x3ff));
    } else {
      units.push(cp);
    }
    if (units.length >= FLUSH) {
      out += String.fromCharCode.apply(null, units);
      units = [];
    }
  }
  if (units.length > 0) out += String.fromCharCode.apply(null, units);
  return out;
}

/** The UTF-8 length of a JS string, or -1 if it holds a lone surrogate. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (d < 0xdc00 || d > 0xdfff) return -1;
      n += 4;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return -1;
    else n += 3;
  }
  return n;
}

/**
 * Write `s` as UTF-8 into out[pos...] and return the position after it. The caller
 * checked utf8Length(s) >= 0 and made room for that many bytes.
 */
export function utf8Write(s: string, out: Uint8Array, pos: number): number {
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      out[pos++] = c;
    } else if (c < 0x800) {
      out[pos++] = 0xc0 | (c >> 6);
      out[pos++] = 0x80 | (c & 0x3f);
    } else if (c >= 0xd800 && c <= 0xdbff) {
      c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
      out[pos++] = 0xf0 | (c >> 18);
      out[pos++] = 0x80 | ((c >> 12) & 0x3f);
      out[pos++] = 0x80 | ((c >> 6) & 0x3f);
      out[pos++] = 0x80 | (c & 0x3f);
    } else {
      out[pos++] = 0xe0 | (c >> 12);
      out[pos++] = 0x80 | ((c >> 6) & 0x3f);
      out[pos++] = 0x80 | (c & 0x3f);
    }
  }
  return pos;
}
