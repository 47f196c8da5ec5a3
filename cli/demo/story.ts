/**
 * The demo's story, step by step, through the bridge's own flows: the same library
 * functions the `wristpay bridge` commands call. Each step reports one event; approved
 * band payments carry the token and the key that verifies it.
 */
import { Status, statusName } from '../../shared/status/codes.ts';
import { CheckoutClient } from '../../checkout/api/client.ts';
import {
  addCard,
  charge,
  enrollBand,
  findBand,
  pairTerminal,
  payWithPassword,
  revoke,
  setDefaultCard,
  status,
  terminalClient,
  unlockBand,
} from '../../bridge/flows/index.ts';
import type { ChargeResult, Outcome, Refusal } from '../../bridge/flows/index.ts';
import { batteryText, lastSeenText } from '../find-command.ts';
import { promotionEvent } from './promotion-event.ts';
import type { DemoWorld } from './environment.ts';
import { identitySteps } from './identity-story.ts';
import { tapEvent } from './tap.ts';

export interface DemoEvent {
  step: string;
  outcome: 'ok' | 'approved' | 'declined';
  [field: string]: unknown;
}

export type Emit = (event: DemoEvent, sentence: string) => void;

const OWNER = { username: 'alice', password: 'correct horse battery staple', paymentPassword: '246810' };
const SHOP = {
  username: 'teahouse',
  password: 'oolong and pu-erh 2026',
  displayName: 'Lu Yu Tea House',
  category: 'dining', // the demo's ICBC card has 10% off dining (checkout/promotions.json)
};

class StoryError extends Error {}

function must<T>(o: Outcome<T>, what: string): T {
  if (!o.ok) throw new StoryError(`${what} failed: ${o.name} — ${o.message}`);
  return o.value;
}

function money(amount: number, currency: string): string {
  return `${currency} ${(amount / 100).toFixed(2)}`;
}

function declined(step: string, r: Refusal): DemoEvent {
  return {
    step,
    outcome: 'declined',
    status: r.name || statusName(r.status) || String(r.status),
    code: r.status,
    message: r.message,
  };
}

async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new StoryError(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function runStory(world: DemoWorld, emit: Emit): Promise<void> {
  const band = world.sim.band(1);
  const anon = new CheckoutClient(world.checkoutUrl);
  await anon.register({ username: OWNER.username, password: OWNER.password, paymentPassword: OWNER.paymentPassword });
  const owner = await anon.loginAs(OWNER.username, OWNER.password);
  await anon.register({
    username: SHOP.username,
    password: SHOP.password,
    kind: 'merchant',
    displayName: SHOP.displayName,
    category: SHOP.category,
  });
  const shop = await anon.loginAs(SHOP.username, SHOP.password);
  const terminal = terminalClient(
    must(
      await pairTerminal(world.checkoutUrl, (await shop.createPairingCode()).code, { name: 'till 1' }),
      'pairing the terminal',
    ),
  );
  const session = world.session;
  let order = 0;
  const nextOrder = () => `demo-${Date.now().toString(36)}-${++order}`;

  const enrolled = must(await enrollBand(owner, session, { name: "Alice's band" }), 'enroll');
  const deviceId = enrolled.deviceId;
  emit(
    { step: 'enroll', outcome: 'ok', deviceId },
    `Enrolled the band ${deviceId.slice(0, 12)}… to ${OWNER.username}'s account`,
  );

  const added = [];
  for (const req of [{ issuerId: 'icbc' }, { cityId: 'shanghai' }, { issuerId: 'cmb' }] as const) {
    const card = must(await addCard(owner, session, deviceId, req), 'card-add');
    added.push(card);
    emit(
      {
        step: 'card-add',
        outcome: 'ok',
        kind: card.kind,
        issuer: card.issuer,
        last4: card.last4,
        ...(card.balance !== null ? { balance: card.balance } : {}),
      },
      `Added ${card.kind === 'bank' ? 'bank' : 'transit'} card ${card.issuer} ·${card.last4}${card.balance !== null ? ` (balance ${money(card.balance, card.currency)})` : ''}`,
    );
  }

  // The owner makes the CMB card the default bank card: the band shows it first at each tap.
  const cmb = must(await setDefaultCard(owner, deviceId, added[2].cardRef), 'card-default');
  emit(
    { step: 'card-default', outcome: 'ok', kind: cmb.kind, issuer: cmb.issuer, last4: cmb.last4 },
    `Made ${cmb.issuer} ·${cmb.last4} the default bank card`,
  );

  const wear = async () => {
    band.setWorn(true);
    await until(() => band.status().state === 'worn-locked', 'the band to notice the wrist');
    emit({ step: 'wear', outcome: 'ok', state: band.status().state }, 'Put the band on: worn, locked');
  };
  const unlock = async () => {
    must(await unlockBand(anon, session, OWNER.username, OWNER.password), 'unlock');
    emit(
      { step: 'unlock', outcome: 'ok', state: band.status().state },
      'Unlocked once with the account password: worn, unlocked',
    );
  };
  const pay = async (
    step: string,
    amount: number,
    opts: { express?: boolean; press?: boolean; switchCard?: boolean } = {},
  ): Promise<ChargeResult> => {
    let pressed = false;
    let switched = false;
    const result = await charge(
      terminal,
      session,
      {
        amount,
        currency: 'CNY',
        orderId: nextOrder(),
        subject: opts.express ? 'metro fare' : 'tea',
        express: opts.express,
      },
      {
        onKeepalive: (k) => {
          if (opts.switchCard && !switched && k.status === Status.PROCESSING) {
            switched = true;
            band.press(); // within the switch window: the band shows the next card, which then pays
          }
          if (opts.press && !pressed && k.status === Status.CONFIRMATION_REQUIRED) {
            pressed = true;
            band.press(); // the wearer reads the amount on the band and presses its button
          }
        },
      },
    );
    if (result.ok) {
      emit(...tapEvent(band, result.receipt));
      const ev = result.receipt.evidence;
      emit(
        {
          step,
          outcome: 'approved',
          amount,
          currency: 'CNY',
          confirmed: ev?.confirmed ?? false,
          token: ev?.token,
          deviceKey: ev?.deviceKey,
          counter: ev?.counter,
          orderId: result.receipt.outTradeNo,
        },
        `${step === 'transit' ? 'Metro fare' : 'Paid'} ${money(amount, 'CNY')}${ev?.confirmed ? ' after the button press' : ' with no password'} (token counter ${ev?.counter})`,
      );
      const promotion = promotionEvent(result.receipt);
      if (promotion) emit(...promotion);
    } else {
      const r = result.outcome === 'password-needed' ? result.reason : result.refusal;
      emit(declined(step, r), `Declined ${money(amount, 'CNY')}: ${r.name} — ${r.message}`);
    }
    return result;
  };

  await wear();
  await unlock();
  await pay('pay', 12_50, { switchCard: true });
  await pay('pay', 38_00);
  await pay('transit', 3_00, { express: true });

  band.setWorn(false);
  await until(() => band.status().state === 'off-wrist', 'the removal to be confirmed');
  emit({ step: 'remove', outcome: 'ok', state: 'off-wrist' }, 'Took the band off: the session is gone');

  const refused = await pay('pay', 26_00);
  if (refused.ok || refused.outcome !== 'password-needed')
    throw new StoryError('a payment from an off-wrist band was not refused');
  const byPassword = must(
    await payWithPassword(terminal, refused.outTradeNo, OWNER.username, OWNER.paymentPassword),
    'pay-password',
  );
  emit(
    {
      step: 'pay-password',
      outcome: 'approved',
      amount: byPassword.amount,
      currency: byPassword.currency,
      orderId: byPassword.outTradeNo,
    },
    `Paid ${money(byPassword.amount, byPassword.currency)} with the payment password instead`,
  );

  await wear();
  await unlock();
  await pay('pay', 320_00, { press: true });
  await identitySteps({ anon, owner, session, press: () => band.press(), emit, must });

  // The owner looks for the band: the checkout says where a bridge last reached it on its behalf.
  const lost = must(await findBand(owner, deviceId), 'find');
  emit(
    { step: 'find', outcome: 'ok', lastSeen: lost.lastSeen },
    `Where is the band? ${lastSeenText(lost.lastSeen)}, ${batteryText(lost.lastSeen)}`,
  );

  // Then it is lost for real: off the wrist somewhere. The owner asks it to ring; the next
  // terminal that sees it (here, a status read at the till) delivers that, and it rings.
  band.setWorn(false);
  await until(() => band.status().state === 'off-wrist', 'the removal to be confirmed');
  must(await findBand(owner, deviceId, true), 'ring');
  const seen = must(await status(session, { terminal }), 'ring');
  const rang = seen.band?.ring;
  await until(() => band.status().display[0] === 'Find me', 'the band to show "Find me"', 3000).catch(() => undefined);
  emit(
    {
      step: 'ring',
      outcome: rang?.delivered ? 'ok' : 'declined',
      delivered: !!rang?.delivered,
      display: band.status().display,
    },
    rang?.delivered
      ? `Asked the lost band to ring: a terminal saw it, and it buzzes and flashes "${band.status().display.join(' / ')}"`
      : `The ring was not delivered${rang?.refusal ? `: ${rang.refusal.message}` : ''}`,
  );

  must(await revoke(owner, deviceId), 'revoke');
  emit({ step: 'revoke', outcome: 'ok', deviceId }, 'Reported the band lost: wrist payments turned off');
  const afterRevoke = await pay('pay', 9_00);
  const refusalAfter = afterRevoke.ok
    ? null
    : afterRevoke.outcome === 'password-needed'
      ? afterRevoke.reason
      : afterRevoke.refusal;
  const wipe = refusalAfter?.wipe;
  await until(() => band.status().enrolled === false, 'the band to report the wipe', 3000).catch(() => undefined);
  const wiped = !!wipe?.delivered && band.status().enrolled === false;
  emit(
    {
      step: 'wipe',
      outcome: wiped ? 'ok' : 'declined',
      delivered: !!wipe?.delivered,
      cards: band.status().cards.length,
    },
    wiped
      ? 'The checkout queued a wipe; the bridge delivered it: cards and keys erased'
      : `The wipe was not confirmed${wipe?.refusal ? `: ${wipe.refusal.message}` : ''}`,
  );
}
