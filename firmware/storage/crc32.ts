/**
 * CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), the checksum zlib and PNG use.
 * Table-driven over Int32Array with `>>>`: no Math.imul, ES5 built-ins only (band firmware).
 * A checksum, not a MAC: it catches flash damage, not someone who can rewrite the flash.
 */
let table: Int32Array | null = null;

function getTable(): Int32Array {
  if (table !== null) return table;
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  table = t;
  return t;
}

/** CRC-32 of `data[start..end)` as an unsigned 32-bit number. */
export function crc32(data: Uint8Array, start?: number, end?: number): number {
  const t = getTable();
  const from = start === undefined ? 0 : start;
  const to = end === undefined ? data.length : end;
  let c = -1;
  for (let i = from; i < to; i++) c = t[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
