/**
 * Where the image's bytes come from: every byte of the minified code, attributed to the
 * TypeScript module it was compiled from, through the source maps the pipeline can carry
 * (./pipeline.ts compileImage with `sourceMap`: esbuild's bundle map, composed by each Babel
 * pass and by the minifier). A byte belongs to the source of the mapping segment it falls
 * in; bytes before a line's first segment, or in a segment without a source (Babel's
 * helpers, the wrapper, glue the minifier adds), are "unmapped".
 *
 * The attribution is exact in the sense that the columns add up to the image's byte count
 * (the minified code is ASCII); how a minifier splits the bytes between two adjacent
 * segments of different modules is its own choice, a few bytes per boundary.
 */
import { relative } from 'node:path';
import { compileImage } from './pipeline.ts';

const INLINE_MAP = '//# sourceMappingURL=data:application/json;base64,';
const UNMAPPED = '(unmapped: helpers, wrapper)';
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export interface ModuleBytes {
  module: string;
  bytes: number;
}

export interface ImageSizeMap {
  /** The image's code, exactly what the build ships (the map stripped off). */
  code: string;
  /** Largest first; sums to the code's byte count. */
  modules: ModuleBytes[];
}

/** Decodes one segment's base64 VLQ fields. */
function decodeSegment(seg: string): number[] {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (const ch of seg) {
    const digit = B64.indexOf(ch);
    if (digit === -1) throw new Error(`bad source map character ${ch}`);
    value += (digit & 31) * 2 ** shift;
    shift += 5;
    if ((digit & 32) !== 0) continue;
    out.push(value % 2 === 1 ? -Math.floor(value / 2) : value / 2);
    value = 0;
    shift = 0;
  }
  return out;
}

/** Bytes per source index (-1: unmapped) of `code`, from its map's `mappings`. */
function bytesBySource(code: string, mappings: string): Map<number, number> {
  const lines = code.split('\n');
  const totals = new Map<number, number>();
  const add = (source: number, n: number) => totals.set(source, (totals.get(source) ?? 0) + n);
  const mapLines = mappings.split(';');
  let source = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    // The newline itself is a byte of the code too; it goes with the line it ends.
    const lineBytes = line.length + (i < lines.length - 1 ? 1 : 0);
    let col = 0;
    let at = 0;
    let owner = -1;
    for (const seg of (mapLines[i] ?? '').split(',')) {
      if (seg === '') continue;
      const f = decodeSegment(seg);
      col += f[0]!;
      add(owner, col - at);
      at = col;
      if (f.length >= 4) source += f[1]!;
      owner = f.length >= 4 ? source : -1;
    }
    add(owner, lineBytes - at);
  }
  return totals;
}

/** Builds the image with source maps and attributes its minified bytes to modules. */
export async function imageSizeMap(entry: string, root: string): Promise<ImageSizeMap> {
  const { code: mapped } = await compileImage({ entry }, true);
  const at = mapped.lastIndexOf(INLINE_MAP);
  if (at === -1) throw new Error('the minifier returned no inline source map');
  const map = JSON.parse(Buffer.from(mapped.slice(at + INLINE_MAP.length).trim(), 'base64').toString('utf8')) as {
    sources: string[];
    mappings: string;
  };
  const code = mapped.slice(0, at);
  const byModule = new Map<string, number>();
  for (const [source, bytes] of bytesBySource(code, map.mappings)) {
    const name = source === -1 ? UNMAPPED : relative(root, map.sources[source] ?? '?').replace(/^(\.\.\/)+/, '');
    byModule.set(name, (byModule.get(name) ?? 0) + bytes);
  }
  const modules = [...byModule].map(([module, bytes]) => ({ module, bytes })).filter((m) => m.bytes > 0);
  modules.sort((a, b) => b.bytes - a.bytes || a.module.localeCompare(b.module));
  return { code, modules };
}
