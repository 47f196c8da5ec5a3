/**
 * The world the HTTP fuzz test attacks: a checkout (in-process, real SQLite file) with an
 * owner whose unlocked band holds a card, a merchant with a paired terminal, an open trade
 * with a PAYMENT challenge, and valid protocol messages to corrupt. Every route of the
 * server's router is listed from `opsRoutes`, `apiRoutes` and `webRoutes`; its `:params` are filled from
 * here (an unknown param gets a random value, so a new route is fuzzed all the same).
 */
import { apiRoutes } from '../../../checkout/http/api-routes.ts';
import { opsRoutes } from '../../../checkout/http/ops-routes.ts';
import type { Route } from '../../../checkout/http/router.ts';
import { webRoutes } from '../../../checkout/web/routes.ts';
import { BandDouble } from '../../checkout/helpers/band-double.ts';
import {
  type OwnedBand,
  PASSWORD,
  type Terminal,
  merchantWithTerminal,
  newTrade,
  ownerWithBand,
  unique,
} from '../../checkout/helpers/fixtures.ts';
import { cheapTestConfig, type Harness, startHarness } from '../../../harness/checkout-harness.ts';
import { toBase64Url } from '../../../checkout/api/base64url.ts';
import { encodeSegment } from './fuzz-gen.ts';

export interface FuzzWorld {
  h: Harness;
  owner: OwnedBand;
  shop: Terminal;
  merchantToken: string;
  ownerCookie: { token: string; csrf: string };
  params: Record<string, string>;
  /** Valid protocol messages by JSON field name (to corrupt). */
  messages: Record<string, Uint8Array>;
  /** A well-formed body per "METHOD pattern" (routes without one get random bodies only). */
  templates: Record<string, Record<string, unknown>>;
  routes: Route[];
  /** Logs the owner in again (a fuzz case may have logged it out). */
  refreshOwner(): Promise<void>;
}

export const allRoutes = (): Route[] => [...opsRoutes({ draining: false }), ...apiRoutes, ...webRoutes];

export function pathOf(route: Route, params: Record<string, string>, fallback: () => string): string {
  return route.pattern
    .split('/')
    .map((seg) => (seg.startsWith(':') ? encodeSegment(params[seg.slice(1)] ?? fallback()) : seg))
    .join('/');
}

export async function buildWorld(): Promise<FuzzWorld> {
  const h = await startHarness(cheapTestConfig);
  const owner = await ownerWithBand(h);
  const shop = await merchantWithTerminal(h);
  const m = unique('merchant');
  await h.client.register({ username: m, password: PASSWORD, kind: 'merchant' });
  const merchantToken = (await h.client.login(m, PASSWORD)).token;
  const trade = await newTrade(shop, 12_34);
  const challenge = await shop.client.payWithBand(trade.outTradeNo, owner.band.hello());
  const answer = owner.band.pay(owner.band.open(challenge.message));
  const stranger = BandDouble.create(h.provider);
  const offer = await owner.client.startEnrollment();
  const login = await h.checkout.login(owner.username, PASSWORD);
  const world: FuzzWorld = {
    h,
    owner,
    shop,
    merchantToken,
    ownerCookie: { token: login.token, csrf: login.csrf },
    params: {
      deviceId: owner.deviceId,
      cardRef: owner.cardRef,
      outTradeNo: trade.outTradeNo,
      challengeId: challenge.challengeId,
    },
    messages: {
      hello: owner.band.hello(),
      answer,
      enrolled: stranger.enroll(offer.enroll),
      publicKey: stranger.signingPublic,
    },
    templates: {},
    routes: allRoutes(),
    async refreshOwner() {
      const s = await h.checkout.login(owner.username, PASSWORD);
      owner.token = s.token;
      owner.client = h.client.withToken(s.token);
      world.ownerCookie = { token: s.token, csrf: s.csrf };
    },
  };
  const b64 = (k: string) => toBase64Url(world.messages[k]);
  world.templates = {
    'POST /v1/accounts': { username: 'fuzz-user', password: 'long enough pw', kind: 'owner', displayName: 'x' },
    'POST /v1/sessions': { username: 'nobody-here', password: 'long enough pw' },
    'POST /v1/bands/enrolled': { enrollId: offer.enrollId, enrolled: b64('enrolled'), name: 'n' },
    'POST /v1/bands/:deviceId/cards': { issuerId: 'icbc', cardNumber: '4111111111111111' },
    'POST /v1/unlock': { hello: b64('hello'), username: 'nobody-here', password: 'long enough pw' },
    'POST /v1/terminals': { code: 'ABCDEFGH', publicKey: b64('publicKey'), name: 'n' },
    'POST /v1/hello': { hello: b64('hello') },
    'POST /v1/trades': { outTradeNo: 'fuzz-order', amount: 100, currency: 'CNY', subject: 's' },
    'POST /v1/trades/:outTradeNo/pay': { hello: b64('hello'), express: false },
    'POST /v1/trades/:outTradeNo/pay-password': { username: 'nobody-here', paymentPassword: '000000' },
    'POST /v1/trades/:outTradeNo/refunds': { outRequestNo: 'r1', amount: 1, reason: 'x' },
    'POST /v1/challenges/:challengeId/answer': { answer: b64('answer') },
    'POST /login': { username: 'nobody-here', password: 'long enough pw' },
  };
  return world;
}
