/**
 * The JSON API (docs/CHECKOUT.md). Each handler reads and types its input, calls one
 * library method and shapes the reply; authorisation is the first line of each.
 */
import { MAX_MESSAGE_BYTES, Size } from '../../shared/protocol/constants.ts';
import { Status } from '../../shared/status/codes.ts';
import type {
  AnswerJson,
  CatalogueJson,
  ChallengeJson,
  CheckoutInfoJson,
  EnrollJson,
  EnrolledJson,
  HelloJson,
  LedgerJson,
  PairingCodeJson,
  RefundJson,
  SessionJson,
  TradeDetailsJson,
  TurnOffCodeJson,
  UnblockJson,
  UnlockJson,
} from '../api/types.ts';
import { pairingQrText } from '../api/types.ts';
import type { RegisterInput } from '../core/accounts.ts';
import type { IssuedChallenge } from '../core/issued-challenge.ts';
import type { ReportQuery } from '../core/merchant-reports.ts';
import { refuse } from '../core/errors.ts';
import { toBase64Url } from '../api/base64url.ts';
import { bearerToken } from './request.ts';
import { type Route, json } from './router.ts';

export function challengeJson(c: IssuedChallenge): ChallengeJson {
  return { challengeId: c.challengeId, kind: c.kind, challenge: toBase64Url(c.message), expiresAt: c.expiresAt };
}

/** A device token is ~100 characters (core/device-tokens.ts); anything much longer is not one. */
const DEVICE_TOKEN_MAX = 256;

/** The report parameters of a query string; merchant-reports.ts checks their shape. */
export function reportQuery(url: URL): ReportQuery {
  const get = (k: string): string | undefined => url.searchParams.get(k) ?? undefined;
  return { from: get('from'), to: get('to'), limit: get('limit'), cursor: get('cursor') };
}

const api = (method: string, pattern: string, handler: Route['handler']): Route => ({
  method,
  pattern,
  kind: 'api',
  handler,
});

export const apiRoutes: Route[] = [
  api('GET', '/v1/checkout', async ({ checkout }) => {
    const i = checkout.publicInfo();
    return json({
      signingKey: toBase64Url(i.signingKey),
      hpkeKey: toBase64Url(i.hpkeKey),
      keyId: toBase64Url(i.keyId),
    } satisfies CheckoutInfoJson);
  }),
  api('GET', '/v1/catalogue', async ({ checkout }) => json(checkout.catalogue() as CatalogueJson)),

  // ---- accounts ----
  api('POST', '/v1/accounts', async ({ checkout, client, json: body }) => {
    const f = body();
    const kind = f.optionalString('kind', { max: 16 });
    if (kind !== undefined && kind !== 'owner' && kind !== 'merchant')
      refuse(Status.MALFORMED, 'kind: owner or merchant');
    const input: RegisterInput = {
      username: f.string('username', { max: 64 }),
      password: f.string('password', { max: 128 }),
      paymentPassword: f.optionalString('paymentPassword', { max: 16 }),
      kind,
      displayName: f.optionalString('displayName', { max: 32 }),
      category: f.optionalString('category', { max: 32 }),
    };
    await checkout.limits.register(client);
    return json({ account: await checkout.register(input) }, 201);
  }),
  api('POST', '/v1/sessions', async ({ checkout, client, json: body }) => {
    const f = body();
    const username = f.string('username', { max: 64 });
    const password = f.string('password', { max: 128 });
    const deviceToken = f.optionalString('deviceToken', { max: DEVICE_TOKEN_MAX });
    await checkout.limits.login(client, username, {
      trusted: checkout.accounts.trustsDevice(username, deviceToken),
    });
    const s = await checkout.login(username, password, deviceToken);
    return json(
      { token: s.token, expiresAt: s.expiresAt, account: s.account, deviceToken: s.deviceToken } satisfies SessionJson,
      201,
    );
  }),
  api('DELETE', '/v1/sessions', async ({ checkout, session, req }) => {
    await session();
    await checkout.logout(bearerToken(req) as string);
    return json({ ok: true });
  }),
  api('GET', '/v1/me', async ({ checkout, session }) =>
    json({ account: await checkout.me((await session()).account.id) }),
  ),
  api('POST', '/v1/me/payment-password/unblock', async ({ checkout, session, json: body }) => {
    const { account } = await session('owner');
    const f = body();
    const out = await checkout.unblockPaymentPassword(
      account,
      f.string('password', { max: 128 }),
      f.optionalString('deviceToken', { max: DEVICE_TOKEN_MAX }),
    );
    return json(out satisfies UnblockJson);
  }),

  // ---- bands and cards (owner session) ----
  api('POST', '/v1/bands/enroll', async ({ checkout, session }) => {
    const offer = await checkout.startEnrollment((await session('owner')).account.id);
    return json(
      { enrollId: offer.enrollId, enroll: toBase64Url(offer.message), expiresAt: offer.expiresAt } satisfies EnrollJson,
      201,
    );
  }),
  api('POST', '/v1/bands/enrolled', async ({ checkout, session, json: body }) => {
    const { account } = await session('owner');
    const f = body();
    const { turnOffCode, ...band } = await checkout.completeEnrollment(
      account.id,
      f.string('enrollId', { max: 64 }),
      f.bytes('enrolled', MAX_MESSAGE_BYTES),
      f.optionalString('name', { max: 32 }),
    );
    return json({ band, turnOffCode } satisfies EnrolledJson, 201);
  }),
  api('POST', '/v1/bands/turn-off-code', async ({ checkout, session }) =>
    json(
      { turnOffCode: await checkout.newTurnOffCode((await session('owner')).account.id) } satisfies TurnOffCodeJson,
      201,
    ),
  ),
  api('POST', '/v1/bands/turn-off', async ({ checkout, json: body }) => {
    const f = body();
    return json({
      bands: await checkout.turnOffWithCode(f.string('username', { max: 64 }), f.string('code', { max: 32 })),
    });
  }),
  api('GET', '/v1/bands', async ({ checkout, session }) =>
    json({ bands: await checkout.listBands((await session('owner')).account.id) }),
  ),
  api('GET', '/v1/bands/:deviceId', async ({ checkout, session, params }) =>
    json({ band: await checkout.band((await session('owner')).account.id, params.deviceId) }),
  ),
  api('GET', '/v1/bands/:deviceId/last-seen', async ({ checkout, session, params }) =>
    json({ band: await checkout.findBand((await session('owner')).account.id, params.deviceId) }),
  ),
  api('POST', '/v1/bands/:deviceId/ring', async ({ checkout, session, params }) =>
    json({ band: await checkout.ringBand((await session('owner')).account.id, params.deviceId, true) }),
  ),
  api('DELETE', '/v1/bands/:deviceId/ring', async ({ checkout, session, params }) =>
    json({ band: await checkout.ringBand((await session('owner')).account.id, params.deviceId, false) }),
  ),
  api('POST', '/v1/bands/:deviceId/revoke', async ({ checkout, session, params }) =>
    json({ band: await checkout.revokeBand((await session('owner')).account.id, params.deviceId) }),
  ),
  api('POST', '/v1/bands/:deviceId/cards', async ({ checkout, session, params, json: body }) => {
    const { account } = await session('owner');
    const f = body();
    const out = await checkout.addCard(account.id, params.deviceId, {
      issuerId: f.optionalString('issuerId', { max: 32 }),
      cityId: f.optionalString('cityId', { max: 32 }),
      cardNumber: f.optionalString('cardNumber', { max: 32 }),
      balance: f.optionalInt('balance'),
    });
    return json({ card: out.card, challenge: challengeJson(out.challenge) }, 201);
  }),
  api('POST', '/v1/bands/:deviceId/cards/:cardRef/default', async ({ checkout, session, params }) => {
    const { account } = await session('owner');
    return json({ card: await checkout.setDefaultCard(account.id, params.deviceId, params.cardRef) });
  }),
  api('DELETE', '/v1/bands/:deviceId/cards/:cardRef', async ({ checkout, session, params }) => {
    const { account } = await session('owner');
    return json({ challenge: challengeJson(await checkout.removeCard(account.id, params.deviceId, params.cardRef)) });
  }),
  api('GET', '/v1/payments', async ({ checkout, session }) => {
    const { account } = await session('owner');
    return json({
      payments: await checkout.paymentsOf(account.id),
      refunds: await checkout.refundsOf(account.id),
    } satisfies LedgerJson);
  }),
  api('GET', '/v1/rewards', async ({ checkout, session }) => {
    const { account } = await session('owner');
    return json(await checkout.rewardsOf(account.id));
  }),
  api('POST', '/v1/unlock', async ({ checkout, client, json: body }) => {
    const f = body();
    const hello = f.bytes('hello', MAX_MESSAGE_BYTES);
    const username = f.string('username', { max: 64 });
    const password = f.string('password', { max: 128 });
    const deviceToken = f.optionalString('deviceToken', { max: DEVICE_TOKEN_MAX });
    // The account password again: limited as a login, or unlock would be the unlimited way to guess it.
    await checkout.limits.login(client, username, {
      trusted: checkout.accounts.trustsDevice(username, deviceToken),
    });
    const c = await checkout.unlock(hello, username, password, deviceToken);
    return json({ challenge: challengeJson(c), deviceToken: c.deviceToken } satisfies UnlockJson, 201);
  }),

  // ---- merchants and terminals ----
  api('POST', '/v1/merchant/pairing-codes', async ({ checkout, session, origin }) => {
    const { account } = await session('merchant');
    const code = await checkout.createPairingCode(account.id);
    return json(
      {
        code: code.code,
        expiresAt: code.expiresAt,
        qrText: pairingQrText(code.code, origin),
      } satisfies PairingCodeJson,
      201,
    );
  }),
  api('GET', '/v1/merchant/terminals', async ({ checkout, session }) =>
    json({ terminals: await checkout.terminals((await session('merchant')).account.id) }),
  ),
  api('PATCH', '/v1/merchant/terminals/:terminalId', async ({ checkout, session, params, json: body }) => {
    const { account } = await session('merchant');
    return json({
      terminal: await checkout.renameTerminal(account.id, params.terminalId, body().string('name', { max: 64 })),
    });
  }),
  api('DELETE', '/v1/merchant/terminals/:terminalId', async ({ checkout, session, params }) =>
    json({ terminal: await checkout.unpairTerminal((await session('merchant')).account.id, params.terminalId) }),
  ),
  api('POST', '/v1/merchant/terminals/:terminalId/lift-suspension', async ({ checkout, session, params }) =>
    json({
      terminal: await checkout.liftTerminalSuspension((await session('merchant')).account.id, params.terminalId),
    }),
  ),
  // Bounded reads (core/merchant-reports.ts): ?from=&to= (YYYY-MM-DD or epoch ms), ?limit=, ?cursor=.
  api('GET', '/v1/merchant/sales', async ({ checkout, session, url }) => {
    const p = await checkout.reports.sales((await session('merchant')).account.id, reportQuery(url));
    return json({ from: p.from, to: p.to, sales: p.items, nextCursor: p.nextCursor });
  }),
  api('GET', '/v1/merchant/refunds', async ({ checkout, session, url }) => {
    const p = await checkout.reports.refunds((await session('merchant')).account.id, reportQuery(url));
    return json({ from: p.from, to: p.to, refunds: p.items, nextCursor: p.nextCursor });
  }),
  api('GET', '/v1/merchant/day-totals', async ({ checkout, session, url }) => {
    const { account } = await session('merchant');
    const range = checkout.reports.range(reportQuery(url));
    return json({ ...range, days: await checkout.reports.dayTotals(account.id, range) });
  }),
  api('POST', '/v1/terminals', async ({ checkout, json: body }) => {
    const f = body();
    const terminal = await checkout.pairTerminal(
      f.string('code', { max: 16 }),
      f.bytes('publicKey', Size.PUBLIC_KEY),
      f.optionalString('name', { max: 64 }),
    );
    return json({ terminal }, 201);
  }),

  // ---- signed terminal requests ----
  api('POST', '/v1/hello', async ({ checkout, terminal, json: body }) => {
    const t = await terminal();
    return json((await checkout.hello(t, body().bytes('hello', MAX_MESSAGE_BYTES))) satisfies HelloJson);
  }),
  api('POST', '/v1/trades', async ({ checkout, terminal, json: body }) => {
    const t = await terminal();
    const f = body();
    const trade = await checkout.createTrade(t, {
      outTradeNo: f.string('outTradeNo', { max: 64 }),
      amount: f.int('amount'),
      currency: f.string('currency', { max: 3 }),
      subject: f.string('subject', { max: 128 }),
      notifyUrl: f.optionalString('notifyUrl', { max: 512 }),
    });
    return json({ trade });
  }),
  api('GET', '/v1/trades/:outTradeNo', async ({ checkout, terminal, params }) =>
    json((await checkout.queryTrade(await terminal(), params.outTradeNo)) satisfies TradeDetailsJson),
  ),
  api('POST', '/v1/trades/:outTradeNo/pay', async ({ checkout, terminal, params, json: body }) => {
    const t = await terminal();
    const f = body();
    const c = await checkout.payWithBand(t, params.outTradeNo, {
      hello: f.bytes('hello', MAX_MESSAGE_BYTES),
      express: f.optionalBool('express'),
    });
    return json({ challenge: challengeJson(c) }, 201);
  }),
  api('POST', '/v1/trades/:outTradeNo/pay-password', async ({ checkout, terminal, params, json: body }) => {
    const t = await terminal();
    const f = body();
    const username = f.string('username', { max: 64 });
    const paymentPassword = f.string('paymentPassword', { max: 16 });
    await checkout.limits.payPassword(t.id, username);
    const receipt = await checkout.payWithPassword(t, params.outTradeNo, username, paymentPassword);
    return json({ receipt, trade: (await checkout.queryTrade(t, params.outTradeNo)).trade });
  }),
  api('POST', '/v1/trades/:outTradeNo/refunds', async ({ checkout, terminal, params, json: body }) => {
    const t = await terminal();
    const f = body();
    const r = await checkout.refund(t, params.outTradeNo, {
      outRequestNo: f.string('outRequestNo', { max: 64 }),
      amount: f.int('amount'),
      reason: f.optionalString('reason', { max: 128 }),
    });
    return json(r satisfies RefundJson);
  }),
  api('POST', '/v1/trades/:outTradeNo/close', async ({ checkout, terminal, params }) =>
    json({ trade: await checkout.closeTrade(await terminal(), params.outTradeNo) }),
  ),

  // ---- answers from the band, any kind ----
  api('POST', '/v1/challenges/:challengeId/answer', async ({ checkout, maybeTerminal, params, json: body }) => {
    const t = await maybeTerminal();
    const out = await checkout.answer(params.challengeId, body().bytes('answer', MAX_MESSAGE_BYTES), t);
    return json({
      kind: out.kind,
      result: toBase64Url(out.result),
      receipt: out.receipt,
      card: out.card,
      keyUpdate: out.keyUpdate ? challengeJson(out.keyUpdate) : undefined,
      identity: out.identity,
    } satisfies AnswerJson);
  }),
];
