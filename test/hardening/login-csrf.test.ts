/**
 * Issue 11, finding 8 (login CSRF): another site's page posts the attacker's credentials
 * to /login in the victim's browser and so plants the attacker's session. Attacked over
 * real HTTP with the headers browsers send: every state-changing web route refuses a
 * cross-site post before doing anything, our own pages keep working (the Chromium test,
 * test/checkout/browser.test.ts, logs in through them).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqliteStore } from '../../checkout/sqlite/store.ts';
import { webRoutes } from '../../checkout/web/routes.ts';
import { type OwnedBand, PASSWORD, ownerWithBand } from '../checkout/helpers/fixtures.ts';
import { type Harness, startHarness } from '../../harness/checkout-harness.ts';
import { type RawReply, send } from './helpers/raw-http.ts';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe('cross-site form posts are refused, login included', () => {
  let h: Harness;
  let o: OwnedBand;
  let self: string;
  let port: string;
  const sessions = (): number =>
    ((h.checkout.store as SqliteStore).db.prepare('SELECT COUNT(*) AS n FROM sessions').get() as { n: number }).n;
  const login = (headers: Record<string, string>): Promise<RawReply> =>
    send(
      h.server.url,
      'POST',
      '/login',
      { ...FORM, ...headers },
      new TextEncoder().encode(`username=${o.username}&password=${encodeURIComponent(PASSWORD)}`),
    );

  beforeAll(async () => {
    h = await startHarness();
    o = await ownerWithBand(h);
    self = h.server.url;
    port = new URL(self).port;
  });
  afterAll(() => h.close());

  it('refuses 40 cross-site logins sent at once with the right password: 403, no session made', async () => {
    const before = sessions();
    const attacks: Array<Record<string, string>> = [
      { origin: 'https://evil.example' },
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'cross-site' },
      { origin: self, 'sec-fetch-site': 'cross-site' },
      { origin: `http://127.0.0.1:${Number(port) + 1}`, 'sec-fetch-site': 'same-site' }, // another port: same site, other origin
      { origin: 'null' }, // sandboxed iframe or data: URL
      {}, // neither header (decided: refused, see same-origin.ts)
      { origin: `http://evil.example:${port}`, host: `evil.example:${port}` }, // DNS rebinding: Host and Origin agree
    ];
    const replies = await Promise.all(Array.from({ length: 40 }, (_, i) => login(attacks[i % attacks.length])));
    for (const [i, r] of replies.entries()) expect(r.status, JSON.stringify(attacks[i % attacks.length])).toBe(403);
    expect(sessions()).toBe(before);
  });

  it('every state-changing web route refuses a cross-site post before touching anything', async () => {
    const posts = webRoutes.filter((r) => r.method !== 'GET');
    expect(posts.length).toBeGreaterThanOrEqual(4);
    const { token } = await h.client.login(o.username, PASSWORD);
    const before = sessions();
    for (const r of posts) {
      const path = r.pattern.replace(':deviceId', o.deviceId).replace(/:[a-zA-Z]+/g, 'x');
      const reply = await send(
        self,
        'POST',
        path,
        { ...FORM, cookie: `wp_session=${token}`, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
        new TextEncoder().encode('csrf=x'),
      );
      expect(reply.status, path).toBe(403);
    }
    expect((await h.client.withToken(token).band(o.deviceId)).status).toBe('active');
    expect(sessions()).toBe(before);
  });

  it('our own pages still log in: same origin, the bound address, and a loopback alias of it', async () => {
    const before = sessions();
    expect((await login({ origin: self, 'sec-fetch-site': 'same-origin' })).status).toBe(303);
    expect((await login({ origin: self })).status).toBe(303); // a browser without Fetch Metadata
    expect((await login({ 'sec-fetch-site': 'same-origin' })).status).toBe(303); // Fetch Metadata alone
    expect(
      (await login({ origin: `http://localhost:${port}`, host: `localhost:${port}`, 'sec-fetch-site': 'same-origin' }))
        .status,
    ).toBe(303);
    expect(sessions()).toBe(before + 4);
  });
});
