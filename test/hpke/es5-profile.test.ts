/**
 * The band runs shared/hpke and shared/crypto/{bytes,hkdf}.ts on an ES5 engine
 * (docs/FIRMWARE-IMAGE.md, "What firmware code may use"). Two checks:
 * 1. a scan of the sources for built-ins and syntax the profile forbids;
 * 2. the esbuild bundle of shared/hpke/index.ts runs one RFC 9180 vector (DeriveKeyPair,
 *    Encap, Seal/Open, Export, the response pattern) in a vm realm from which Map, Set,
 *    WeakMap, BigInt, TextEncoder/TextDecoder, Promise, Proxy, Reflect, Symbol, Array.from,
 *    Math.imul, String padStart and TypedArray slice/fill have been deleted. Every byte array
 *    the HPKE code sees is made in that realm (the host provider's output is copied in).
 * Lowering the syntax to ES5 is the image build's job, not checked here.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../shared/crypto/bytes.ts';
import { hex, providers } from '../crypto/providers.ts';
import { readVectorJson } from '../support/vectors.ts';

const root = new URL('../../', import.meta.url);
const files = [
  ...readdirSync(new URL('shared/hpke/', root)).map((f) => 'shared/hpke/' + f),
  'shared/crypto/bytes.ts',
  'shared/crypto/hkdf.ts',
];

const FORBIDDEN: Array<[string, RegExp]> = [
  ['BigInt', /\bBigInt\b|\b\d+n\b/],
  ['TextEncoder/TextDecoder', /\bText(En|De)coder\b/],
  ['Map/Set/WeakMap', /\bnew (Weak)?(Map|Set)\b/],
  ['async/await/Promise', /\basync\b|\bawait\b|\bPromise\b/],
  ['Node APIs', /from ['"]node:|\brequire\(|\bBuffer\b|\bprocess\./],
  ['Array.from', /\bArray\.from\b/],
  ['TypedArray slice/fill', /\.(slice|fill)\(/],
  ['Math.imul', /\bMath\.imul\b/],
  ['Number.MAX_SAFE_INTEGER', /\bNumber\.MAX_SAFE_INTEGER\b/],
  ['for-of', /\bfor\s*\((const|let|var)\s+\w+\s+of\b/],
  ['Symbol', /\bSymbol\b/],
  ['classes', /^\s*(export\s+)?class\s/m],
  ['host-only imports', /p256-host|node-provider|noble-provider|@noble|default-provider/],
];

function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"])\/\/.*$/gm, '$1');
}

describe('ES5 engine profile of shared/hpke', () => {
  it.each(files)('%s uses nothing the profile forbids', (file) => {
    const src = stripComments(readFileSync(new URL(file, root), 'utf8'));
    for (const [what, re] of FORBIDDEN) expect(re.test(src), `${file}: ${what}`).toBe(false);
  });

  it('the bundle runs an RFC 9180 vector in a realm stripped of ES2015+ built-ins', async () => {
    const out = await build({
      entryPoints: [new URL('shared/hpke/index.ts', root).pathname],
      bundle: true,
      write: false,
      format: 'iife',
      globalName: 'HPKE',
      platform: 'neutral',
      logLevel: 'silent',
    });
    const code = out.outputFiles[0].text;
    const e = readVectorJson<any[]>('hpke/rfc9180-p256.json').find((v) => v.mode === 0 && v.aead_id === 3);
    const [, host] = providers[0];
    // Byte arrays cross the realm boundary as copies both ways, so each side sees its own realm's Uint8Array.
    const toHost = (a: ArrayLike<number>) => Uint8Array.from(a);
    const sandbox: Record<string, unknown> = { host, toHost, vec: e, result: null };
    runInNewContext(
      `
      (function strip(g) {
        var TA = Object.getPrototypeOf(Uint8Array.prototype);
        delete TA.slice; delete TA.fill; delete Array.from; delete Math.imul; delete String.prototype.padStart;
        ['Map', 'Set', 'WeakMap', 'WeakSet', 'BigInt', 'TextEncoder', 'TextDecoder', 'Promise', 'Proxy', 'Reflect', 'Symbol']
          .forEach(function (k) { delete g[k]; });
      })(this);
      ${code}
      (function run() {
        function mine(a) { var b = new Uint8Array(a.length); for (var i = 0; i < a.length; i++) b[i] = a[i]; return b; }
        function wrap(f) { return function () { var a = []; for (var i = 0; i < arguments.length; i++) a.push(arguments[i] instanceof Uint8Array ? toHost(arguments[i]) : arguments[i]); var r = f.apply(host, a); return r instanceof Object && typeof r.length === 'number' ? mine(r) : r; }; }
        var p = {};
        ['randomBytes', 'sha256', 'hmacSha256', 'hkdfExtract', 'hkdfExpand', 'aeadSeal', 'aeadOpen', 'p256Generate',
         'p256ImportPrivate', 'p256PublicKey', 'p256IsValidPublic', 'p256Ecdh', 'p256Sign', 'p256Verify'].forEach(function (k) {
          p[k] = k === 'p256Generate' ? host[k].bind(host) : wrap(host[k]);
        });
        var H = HPKE, hx = H.KEM_SUITE_ID.constructor === Uint8Array ? null : 'wrong realm';
        function fromHex(s) { var b = new Uint8Array(s.length / 2); for (var i = 0; i < b.length; i++) b[i] = parseInt(s.substr(2 * i, 2), 16); return b; }
        function toHex(b) { var s = ''; for (var i = 0; i < b.length; i++) s += (b[i] < 16 ? '0' : '') + b[i].toString(16); return s; }
        var suite = H.hpkeSuite(vec.kem_id, vec.kdf_id, vec.aead_id);
        var s = H.setupBaseS(p, fromHex(vec.pkRm), fromHex(vec.info), { suite: suite, skE: H.deriveKeyPair(p, fromHex(vec.ikmE)) });
        var r = H.setupBaseR(p, fromHex(vec.enc), H.deriveKeyPair(p, fromHex(vec.ikmR)), fromHex(vec.info), suite);
        var x = vec.encryptions[0];
        var ct = s.value.ctx.seal(fromHex(x.aad), fromHex(x.pt));
        var pt = r.value.open(fromHex(x.aad), ct);
        var ex = vec.exports[1];
        var label = H.OHTTP_RESPONSE_LABEL;
        var resp = H.sealResponse(p, r.value, s.value.enc, fromHex('abcdef'), label);
        var back = H.openResponse(p, s.value.ctx, s.value.enc, resp, label);
        result = {
          stripped: typeof new Uint8Array(1).slice + typeof Map + typeof BigInt + typeof Array.from + typeof Symbol,
          realm: hx, enc: toHex(s.value.enc), ct: toHex(ct), pt: toHex(pt.value),
          exported: toHex(r.value.export(fromHex(ex.exporter_context), ex.L)),
          response: toHex(back.value), bad: H.openResponse(p, s.value.ctx, s.value.enc, resp.subarray(1), label).status,
        };
      })();
      `,
      sandbox,
    );
    const x = e.encryptions[0];
    expect(sandbox.result).toEqual({
      stripped: 'undefined'.repeat(5),
      realm: null,
      enc: e.enc,
      ct: x.ct,
      pt: x.pt,
      exported: e.exports[1].exported_value,
      response: 'abcdef',
      bad: 7, // DECRYPT_FAILED
    });
    expect(toHex(hex(e.enc))).toBe(e.enc);
  });
});
