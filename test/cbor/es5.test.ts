/**
 * The codec must run on the band's engines (docs/FIRMWARE-IMAGE.md): bundle
 * shared/cbor/index.ts the way the firmware image is built, check that no ES2015+
 * built-in the small engines lack slipped in, then lower it to ES5 with Babel and run
 * the Appendix A/F vectors in Duktape 2.7 (`duk`; test/support/requirements.ts: fails in CI
 * without it, skips elsewhere) and in Node's VM: both engines must print the same lines.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import vm from 'node:vm';
import { buildSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DUK } from '../../harness/engines/duktape-runner.ts';
import { needs, requirements } from '../support/requirements.ts';
import { readVectorText } from '../support/vectors.ts';

const require = createRequire(import.meta.url);
const babel = require('@babel/core') as {
  transformSync(code: string, options: object): { code: string } | null;
};

const entry = new URL('../../shared/cbor/index.ts', import.meta.url).pathname;
const bundle = buildSync({
  entryPoints: [entry],
  bundle: true,
  write: false,
  format: 'iife',
  target: 'es2015',
  globalName: 'wpcbor',
}).outputFiles[0].text;

const es5 = babel.transformSync(bundle, {
  babelrc: false,
  configFile: false,
  presets: [[require.resolve('@babel/preset-env'), { targets: 'ie 11', modules: false }]],
})!.code;

const vectors = (name: string) => readVectorText(`cbor/${name}`);
const hexes: string[] = [
  ...(JSON.parse(vectors('appendix_a.json')) as Array<{ hex: string }>).map((v) => v.hex),
  ...(
    JSON.parse(vectors('rfc8949_appendix_f_not_well_formed.json')) as { vectors: Array<{ hex: string }> }
  ).vectors.map((v) => v.hex),
  '62c0af', // overlong UTF-8
  'a2626161006162' + '00', // unsorted in strict mode
];

/** ES5 harness: one line per vector and mode; non-ASCII escaped so engines' print() agree. */
const harness = `
var c = wpcbor, hexes = ${JSON.stringify(hexes)};
function hex(b) { var s = ''; for (var i = 0; i < b.length; i++) s += (b[i] < 16 ? '0' : '') + b[i].toString(16); return s; }
function bytes(h) { var b = new Uint8Array(h.length / 2); for (var i = 0; i < b.length; i++) b[i] = parseInt(h.substr(2 * i, 2), 16); return b; }
function ascii(s) { return s.replace(/[^\\x20-\\x7e]/g, function (ch) { return '\\\\u' + (0x10000 + ch.charCodeAt(0)).toString(16).substr(1); }); }
for (var i = 0; i < hexes.length; i++) {
  for (var m = 0; m < 2; m++) {
    var r = c.decodeCbor(bytes(hexes[i]), { strict: m === 0 });
    var line = hexes[i] + (m === 0 ? ' strict ' : ' loose ');
    if (r.ok) {
      line += ascii(c.toDiagnostic(r.value));
      if (m === 0) line += ' => ' + hex(c.encodeCbor(r.value));
    } else line += 'refused ' + r.status;
    print(line);
  }
}
var v = c.cborMap([10, 'x'], ['a', [1, -2, Math.pow(2, 40), -Math.pow(2, 53) + 1]], [1, new c.CborTag(18, new Uint8Array(300))], ['\\ud83d\\ude00', null]);
print(hex(c.encodeCbor(v)));
print(ascii(c.toDiagnostic(c.decodeCbor(c.encodeCbor(v)).value)));
`;

function runInNode(): string {
  const lines: string[] = [];
  vm.runInNewContext(es5 + harness, { print: (...a: unknown[]) => lines.push(a.join(' ')) });
  return lines.join('\n');
}

describe('engine profile (ES5 + typed arrays)', () => {
  it('the bundle uses none of the built-ins small engines lack', () => {
    for (const banned of [
      'BigInt',
      'TextEncoder',
      'TextDecoder',
      'new Map',
      'new Set',
      'Math.imul',
      'Array.from',
      'Symbol',
      'fromCodePoint',
      'codePointAt',
      'Number.isInteger',
      'Number.isSafeInteger',
      'Number.MAX_SAFE_INTEGER',
      'getFloat16',
      'cbor-x',
    ]) {
      expect(bundle, banned).not.toContain(banned);
    }
  });

  it('the codec sources never call TypedArray.prototype.slice', () => {
    for (const f of ['decode.ts', 'reader.ts', 'encode.ts', 'utf8.ts', 'diagnostic.ts', 'types.ts', 'index.ts']) {
      const src = readFileSync(new URL(`../../shared/cbor/${f}`, import.meta.url), 'utf8');
      expect(src, f).not.toMatch(/\.slice\(/);
    }
  });

  it('the ES5-lowered bundle decodes and encodes in Node', () => {
    const out = runInNode();
    expect(out).toContain("c249010000000000000000 strict 2(h'010000000000000000') => c249010000000000000000");
    expect(out).toContain('f818 loose refused 1');
    expect(out).toContain('a2626161006162' + '00 strict refused 1');
    expect(out).toContain('64f0908591 loose "\\ud800\\udd51"');
  });

  needs(requirements.duk).it('Duktape 2.7 prints exactly what Node prints', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wristpay-cbor-'));
    const file = join(dir, 'cbor-es5.js');
    writeFileSync(file, es5 + harness);
    const duk = spawnSync(DEFAULT_DUK, [file], { encoding: 'utf8' });
    rmSync(dir, { recursive: true, force: true });
    expect(duk.stderr).toBe('');
    expect(duk.stdout.trim()).toBe(runInNode());
  });
});
