/**
 * `wristpay checkout start --tls-cert --tls-key` (issue 19) as an operator runs it: the
 * installed command as a process, a throw-away self-signed certificate made with openssl,
 * and clients that verify it the way Node does (the certificate as their only CA): the
 * ready line and /healthz over https, Secure cookies, an https-only same-origin check, a
 * bridge command trusting the certificate through NODE_EXTRA_CA_CERTS, and the flag errors.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BIN, wristpay } from '../bridge/helpers/process.ts';
import { needs, requirements } from '../support/requirements.ts';

const PASSWORD = 'correct horse 42';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One https request that trusts only `ca` (and checks the name localhost, whatever the Host header says). */
function get(url: string, ca: Buffer, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  const u = new URL(url);
  return new Promise<Answer>((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: opts.method ?? 'GET',
        headers: opts.headers,
        ca,
        servername: 'localhost',
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

function makeCert(dir: string, name: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

needs(requirements.openssl).describe('checkout start with a certificate (as a process)', () => {
  let dir: string;
  let db: string;
  let tls: { cert: string; key: string };
  let ca: Buffer;
  let child: ChildProcess;
  let ready: Record<string, string>;
  /** Every line of the checkout's stdout (its --json events), and a wait for the next one. */
  const lines: string[] = [];
  let nextLine: (() => void) | undefined;
  const lineAfter = async (n: number): Promise<Record<string, unknown>> => {
    while (lines.length <= n) await new Promise<void>((r) => (nextLine = r));
    return JSON.parse(lines[n]) as Record<string, unknown>;
  };
  const merchant = `tea${process.pid}`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wristpay-tls-'));
    db = join(dir, 'checkout.db');
    tls = makeCert(dir, 'checkout');
    ca = readFileSync(tls.cert);
    const added = await wristpay(
      ['checkout', 'account', 'add', '--db', db, '--user', merchant, '--merchant', 'Tea House', '--password-stdin'],
      { stdin: `${PASSWORD}\n` },
    );
    expect(added.code, added.stderr).toBe(0);
    child = spawn(
      process.execPath,
      [BIN, 'checkout', 'start', '--db', db, '--port', '0', '--json', '--tls-cert', tls.cert, '--tls-key', tls.key],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let err = '';
    child.stderr?.on('data', (c: Buffer) => (err += c.toString('utf8')));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      lines.push(line);
      nextLine?.();
    });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no ready line: ${err}`)), 30_000);
    });
    ready = (await Promise.race([lineAfter(0), late])) as Record<string, string>;
    clearTimeout(timer);
  });
  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('says https in its ready line, with the certificate expiry, and answers /healthz over TLS 1.2+', async () => {
    expect(ready.event).toBe('listening');
    expect(ready.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(new Date(ready.certExpires).getTime()).toBeGreaterThan(Date.now());
    const health = await get(`${ready.url}/healthz`, ca);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ ok: true });
    // Loopback: no HSTS (it would pin localhost to https in the developer's browser for a year).
    expect(health.headers['strict-transport-security']).toBeUndefined();
    const named = await get(`${ready.url}/healthz`, ca, { headers: { host: 'pay.example' } });
    expect(named.headers['strict-transport-security']).toBe('max-age=31536000');
    // A TLS 1.1 client (its own OpenSSL security level lowered so that it can offer 1.1 at all)
    // is refused by the server's "protocol version" alert (RFC 8446 §6.2, alert 70).
    await expect(
      new Promise((resolve, reject) => {
        const u = new URL(ready.url);
        const old = { maxVersion: 'TLSv1.1', minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' } as const;
        const req = request(
          { host: u.hostname, port: u.port, path: '/healthz', ca, servername: 'localhost', ...old },
          resolve,
        );
        req.on('error', reject);
        req.end();
      }),
    ).rejects.toThrow(/alert protocol version/);
  });

  it('sets Secure cookies on login, and refuses a form from the http:// twin of its origin', async () => {
    const form = new URLSearchParams({ username: merchant, password: PASSWORD }).toString();
    const headers = (origin: string) => ({
      'content-type': 'application/x-www-form-urlencoded',
      origin,
    });
    const login = await get(`${ready.url}/login`, ca, { method: 'POST', headers: headers(ready.url), body: form });
    expect(login.status, login.body).toBe(303);
    const cookies = login.headers['set-cookie'] as string[];
    expect(cookies.map((c) => c.split('=')[0]).sort()).toEqual(['wp_device', 'wp_session']);
    for (const c of cookies) expect(c).toMatch(/; Secure(;|$)/);
    const twin = ready.url.replace('https://', 'http://');
    const refused = await get(`${ready.url}/login`, ca, { method: 'POST', headers: headers(twin), body: form });
    expect(refused.status).toBe(403);
  });

  it('a bridge command reaches it when NODE_EXTRA_CA_CERTS names the certificate, and says why not otherwise', async () => {
    const args = [
      'bridge',
      'terminals',
      'list',
      '--user',
      merchant,
      '--password-stdin',
      '--checkout',
      ready.url,
      '--json',
    ];
    const env = { XDG_CONFIG_HOME: dir, WRISTPAY_CHECKOUT: '' };
    const trusted = await wristpay(args, { stdin: `${PASSWORD}\n`, env: { ...env, NODE_EXTRA_CA_CERTS: tls.cert } });
    expect(trusted.code, trusted.stderr + trusted.stdout).toBe(0);
    expect(trusted.json()).toMatchObject({ ok: true, terminals: [] });
    const untrusted = await wristpay(args, { stdin: `${PASSWORD}\n`, env: { ...env, NODE_EXTRA_CA_CERTS: '' } });
    expect(untrusted.code).toBe(3);
    const error = (untrusted.json() as { error: { message: string; hint: string } }).error;
    expect(error.message).toMatch(/self-signed \(DEPTH_ZERO_SELF_SIGNED_CERT\)/);
    expect(error.hint).toMatch(/NODE_EXTRA_CA_CERTS=FILE/);
  });

  it('refuses half a certificate (usage, 2), and an unreadable or mismatched one (3) before opening the store', async () => {
    const start = (...more: string[]) =>
      wristpay(['checkout', 'start', '--db', join(dir, 'other.db'), '--port', '0', '--json', ...more]);
    const half = await start('--tls-cert', tls.cert);
    expect(half.code).toBe(2);
    expect(half.stdout).toMatch(/--tls-cert and --tls-key go together/);
    const missing = await start('--tls-cert', join(dir, 'nope.crt'), '--tls-key', tls.key);
    expect(missing.code).toBe(3);
    expect(missing.stdout).toMatch(/--tls-cert \S+nope\.crt: cannot read it \(ENOENT\)/);
    const other = makeCert(dir, 'other');
    const mismatched = await start('--tls-cert', tls.cert, '--tls-key', other.key);
    expect(mismatched.code).toBe(3);
    expect(mismatched.stdout).toMatch(/does not go with --tls-cert/);
    const notPem = await start('--tls-cert', tls.key, '--tls-key', tls.key);
    expect(notPem.code).toBe(3);
    expect(notPem.stdout).toMatch(/not a PEM certificate/);
    expect(() => readFileSync(join(dir, 'other.db'))).toThrow();
  });

  it('--trust-proxy needs --public-url and a list of addresses (usage, 2)', async () => {
    const start = (...more: string[]) =>
      wristpay(['checkout', 'start', '--db', join(dir, 'other.db'), '--port', '0', '--json', ...more]);
    const bare = await start('--trust-proxy');
    expect(bare.code).toBe(2);
    expect(bare.stdout).toMatch(/--trust-proxy needs --public-url/);
    const bad = await start('--trust-proxy', 'proxy.internal', '--public-url', 'https://pay.example');
    expect(bad.code).toBe(2);
    expect(bad.stdout).toMatch(/not an IP address/);
  });

  it('SIGHUP reloads a renewed certificate for new connections; a broken one is reported and the old one stays', async () => {
    const renewed = makeCert(dir, 'renewed');
    copyFileSync(renewed.cert, tls.cert);
    copyFileSync(renewed.key, tls.key);
    const seen = lines.length;
    child.kill('SIGHUP');
    expect(await lineAfter(seen)).toMatchObject({ event: 'certificate-reloaded' });
    const newCa = readFileSync(renewed.cert);
    expect((await get(`${ready.url}/healthz`, newCa)).status).toBe(200);
    await expect(get(`${ready.url}/healthz`, ca)).rejects.toThrow(/self-signed/);

    writeFileSync(tls.cert, 'not a certificate\n');
    child.kill('SIGHUP');
    const refused = (await lineAfter(seen + 1)) as { ok: boolean; error: { message: string } };
    expect(refused.ok).toBe(false);
    expect(refused.error.message).toMatch(/not a PEM certificate/);
    expect((await get(`${ready.url}/healthz`, newCa)).status).toBe(200);
    expect(child.exitCode).toBeNull();
  });
});
