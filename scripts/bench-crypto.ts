/**
 * Crypto throughput of the two host providers, in operations per second.
 *
 *   node --import tsx scripts/bench-crypto.ts [--quick]
 *
 * `benchCrypto` is also called by scripts/bench.ts (`npm run bench`). Result keys are
 * `<provider>.<operation>`:
 * - hpkeSeal:   setupBaseS + seal of a 200-byte message (checkout → band challenge)
 * - hpkeOpen:   setupBaseR + open of it (the band's side; on the host for tests/sim)
 * - es256Sign:  p256Sign of a 200-byte message
 * - es256Verify: p256Verify, the same key every time (the node provider's key cache hits)
 * - es256VerifyColdKey: p256Verify cycling through 1,000 keys (300 with quick), more than
 *   the node provider's 256-entry key cache holds
 * - checkoutRound: what the checkout does per payment: sign the challenge, HPKE-seal it,
 *   open the band's sealed answer, seal the result, verify the payment token
 */
import { pathToFileURL } from 'node:url';
import type { HostCryptoProvider } from '../shared/crypto/host-provider.ts';
import { createNobleProvider } from '../shared/crypto/noble-provider.ts';
import { createNodeProvider } from '../shared/crypto/node-provider.ts';
import { ascii } from '../shared/crypto/bytes.ts';
import { openResponse, sealResponse, setupBaseR, setupBaseS } from '../shared/hpke/index.ts';
import { measure } from './bench/measure.ts';

const INFO = ascii('wristpay/1 bench');
const ANSWER = ascii('wristpay/1 bench answer');
const RESULT = ascii('wristpay/1 bench result');
const EMPTY = new Uint8Array(0);

function must<T>(r: { ok: true; value: T } | { ok: false; status: number }): T {
  if (!r.ok) throw new Error('bench setup failed with status ' + r.status);
  return r.value;
}

function benchProvider(p: HostCryptoProvider, ms: number, coldKeyCount: number): Record<string, number> {
  const msg = p.randomBytes(200);
  const band = p.p256Generate();
  const bandPub = p.p256PublicKey(band);
  const signer = p.p256Generate();
  const signerPub = p.p256PublicKey(signer);
  const sig = p.p256Sign(signer, msg);
  const sealed = must(setupBaseS(p, bandPub, INFO));
  const ct = sealed.ctx.seal(EMPTY, msg);
  const coldKeys = Array.from({ length: coldKeyCount }, () => p.p256Generate());
  const cold = coldKeys.map((k) => ({ pub: p.p256PublicKey(k), sig: p.p256Sign(k, msg) }));
  let c = 0;

  // The band's half of a checkout round, precomputed: its answer to one challenge.
  const bandCtx = must(setupBaseR(p, sealed.enc, band, INFO));
  must(bandCtx.open(EMPTY, ct));
  const answer = sealResponse(p, bandCtx, sealed.enc, msg, ANSWER);

  return {
    hpkeSeal: measure(() => {
      must(setupBaseS(p, bandPub, INFO)).ctx.seal(EMPTY, msg);
    }, ms),
    hpkeOpen: measure(() => {
      must(must(setupBaseR(p, sealed.enc, band, INFO)).open(EMPTY, ct));
    }, ms),
    es256Sign: measure(() => {
      p.p256Sign(signer, msg);
    }, ms),
    es256Verify: measure(() => {
      if (!p.p256Verify(signerPub, msg, sig)) throw new Error('verify failed');
    }, ms),
    es256VerifyColdKey: measure(() => {
      const k = cold[c++ % cold.length];
      if (!p.p256VerifyAnyS(k.pub, msg, k.sig)) throw new Error('verify failed');
    }, ms),
    checkoutRound: measure(() => {
      const challengeSig = p.p256Sign(signer, msg);
      const s = must(setupBaseS(p, bandPub, INFO));
      s.ctx.seal(EMPTY, msg);
      // The band's answer to an earlier exchange (the band's work is not the checkout's).
      must(openResponse(p, sealed.ctx, sealed.enc, answer, ANSWER));
      sealResponse(p, s.ctx, s.enc, msg, RESULT);
      if (!p.p256Verify(signerPub, msg, challengeSig)) throw new Error('verify failed');
    }, ms),
  };
}

export async function benchCrypto(opts: { quick: boolean }): Promise<Record<string, number>> {
  const ms = opts.quick ? 150 : 1000;
  const out: Record<string, number> = {};
  const list: Array<[string, HostCryptoProvider]> = [
    ['node', createNodeProvider()],
    ['noble', createNobleProvider()],
  ];
  for (const [name, p] of list) {
    const r = benchProvider(p, ms, opts.quick ? 300 : 1000);
    for (const k of Object.keys(r)) out[`${name}.${k}`] = r[k];
  }
  return out;
}

function printTable(r: Record<string, number>): void {
  const ops = Object.keys(r)
    .filter((k) => k.startsWith('node.'))
    .map((k) => k.slice(5));
  const rows = ops.map((op) => {
    const a = r['node.' + op];
    const b = r['noble.' + op];
    return { op, node: a, noble: b, 'node/noble': Math.round((a / b) * 10) / 10 };
  });
  console.log('ops/s (higher is better)');
  console.table(rows);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchCrypto({ quick: process.argv.includes('--quick') }).then(printTable, (e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
