/**
 * CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), the checksum zlib and PNG use.
 * Half-byte table (16 words, built on first use) rather than the usual 256: the band's heap is
 * scarcer than its cycles, and a record is a few hundred bytes. `>>>` and Int32Array: no
 * Math.imul, ES5 built-ins only (band firmware).
 * A checksum, not a MAC: it catches flash damage, not someone who can rewrite the flash.
 */
let table: Int32Array | null = null;

/** CRC-32 of `data[start..end)` as an unsigned 32-bit number. */
export function crc32(data: Uint8Array, start?: number, end?: number): number {
  let t = table;
  if (t === null) {
    t = table = new Int32Array(16);
    for (let n = 0; n < 16; n++) {
      let c = n;
      for (let k = 0; k < 4; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      t[n] = c;
    }
  }
  const from = start === undefined ? 0 : start;
  const to = end === undefined ? data.length : end;
  let c = -1;
  for (let i = from; i < to; i++) {
    c ^= data[i];
    c = t[c & 15] ^ (c >>> 4);
    c = t[c & 15] ^ (c >>> 4);
  }
  return (c ^ -1) >>> 0;
}
