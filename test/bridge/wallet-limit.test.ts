/**
 * The numbers the product promises (issue 15, item 5), end to end: the real checkout over
 * HTTP, the real firmware in-process and the bridge's own flows between them. A band holds
 * up to 8 cards: the 9th is refused with WALLET_FULL by the checkout (and by `wristpay bridge
 * card add`, exit 1), and by the band itself when a checkout lets more through. Every one of
 * the catalogue's 20 banks and 6 transit cities provisions onto a band as it is named.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Api } from '../../checkout/api/client.ts';
import { issuers, transitCities } from '../../checkout/api/catalogue.ts';
import { defaultConfig as checkoutDefaults } from '../../checkout/core/config.ts';
import { defaultConfig as bandDefaults } from '../../firmware/config.ts';
import { addCard, enrollBand, removeCard } from '../../bridge/flows/index.ts';
import type { CardRequest } from '../../bridge/flows/cards.ts';
import type { Outcome } from '../../bridge/flows/index.ts';
import { mergeConfig, cheapTestConfig } from '../../harness/checkout-harness.ts';
import { InProcessTransport } from '../../harness/transport/in-process.ts';
import { runCli } from './helpers/cli.ts';
import { PASSWORD, type World, startWorld } from './helpers/world.ts';

function must<T>(o: Outcome<T>): T {
  if (!o.ok) throw new Error(`${o.name}: ${o.message}`);
  return o.value;
}

/** Eight cards: five banks and three transit cities. */
const EIGHT: CardRequest[] = [
  ...issuers.slice(0, 5).map((i) => ({ issuerId: i.id })),
  ...transitCities.slice(0, 3).map((c) => ({ cityId: c.id })),
];

async function enrolled(w: World): Promise<string> {
  return must(await enrollBand(w.owner, await w.session(), { name: 'full band' })).deviceId;
}

it('the checkout and the band agree: 8 cards per band', () => {
  expect(checkoutDefaults.maxCardsPerBand).toBe(8);
  expect(bandDefaults.maxCards).toBe(8);
  expect(issuers).toHaveLength(20);
  expect(transitCities).toHaveLength(6);
});

describe('the 9th card', () => {
  let w: World;
  let dir: string;
  beforeAll(async () => {
    w = await startWorld(31);
    dir = mkdtempSync(join(tmpdir(), 'wristpay-wallet-'));
  });
  afterAll(async () => {
    await w?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is refused WALLET_FULL by the checkout, through the API and `bridge card add` (exit 1); the band keeps 8', async () => {
    const deviceId = await enrolled(w);
    for (const req of EIGHT) must(await addCard(w.owner, await w.session(), deviceId, req));
    expect(w.band.booted.status().cards).toHaveLength(8);
    const ninth = await addCard(w.owner, await w.session(), deviceId, { issuerId: issuers[5].id });
    expect(ninth).toMatchObject({ ok: false, name: 'WALLET_FULL', stage: 'checkout' });
    expect(w.band.booted.status().cards).toHaveLength(8);
    expect((await w.owner.band(deviceId)).cards.filter((c) => c.state === 'active')).toHaveLength(8);
    // A slot freed on the band takes a card again.
    const cards = await w.owner.band(deviceId);
    must(await removeCard(w.owner, await w.session(), deviceId, cards.cards[0].cardRef));
    must(await addCard(w.owner, await w.session(), deviceId, { issuerId: issuers[5].id }));
    expect(w.band.booted.status().cards).toHaveLength(8);
    // The command, on its own radio link (the world's is let go first).
    await w.transport.close();
    const cli = await runCli(
      [
        'bridge',
        'card',
        'add',
        '--issuer',
        'icbc',
        '--user',
        w.username,
        '--password-stdin',
        '--checkout',
        w.h.server.url,
        '--json',
      ],
      {
        env: { XDG_CONFIG_HOME: dir },
        stdin: `${PASSWORD}\n`,
        io: { provider: w.h.provider, transport: () => new InProcessTransport([{ radio: w.band.env.radio }]) },
      },
    );
    expect(cli.code, cli.stdout + cli.stderr).toBe(1);
    expect(cli.json()).toMatchObject({ ok: false, error: { name: 'WALLET_FULL', stage: 'checkout' } });
    expect(w.band.booted.status().cards).toHaveLength(8);
  });
});

describe('a checkout that lets a 9th through', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld(32, mergeConfig(cheapTestConfig, { maxCardsPerBand: 9 }));
  });
  afterAll(() => w?.close());

  it('meets the band: it refuses the 9th itself, WALLET_FULL, and the checkout marks the card failed', async () => {
    const deviceId = await enrolled(w);
    for (const req of EIGHT) must(await addCard(w.owner, await w.session(), deviceId, req));
    const ninth = await addCard(w.owner, await w.session(), deviceId, { issuerId: issuers[5].id });
    expect(ninth).toMatchObject({ ok: false, name: 'WALLET_FULL' });
    expect(w.band.booted.status().cards).toHaveLength(8);
    const cards = (await w.owner.band(deviceId)).cards;
    expect(cards.filter((c) => c.state === 'active')).toHaveLength(8);
    expect(cards.filter((c) => c.state === 'failed')).toMatchObject([{ issuer: issuers[5].name }]);
  });
});

describe('the catalogue on a band', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld(33);
  });
  afterAll(() => w?.close());

  it('each of the 20 banks and 6 transit cities provisions onto the band, named as the catalogue names it', async () => {
    const deviceId = await enrolled(w);
    const all: Array<{ req: CardRequest; issuer: string; city?: string }> = [
      ...issuers.map((i) => ({ req: { issuerId: i.id }, issuer: i.name })),
      ...transitCities.map((c) => ({ req: { cityId: c.id }, issuer: c.card, city: c.city })),
    ];
    expect(all).toHaveLength(26);
    for (let i = 0; i < all.length; i += 8) {
      const batch = all.slice(i, i + 8);
      const added: Api.CardView[] = [];
      for (const { req } of batch) added.push(must(await addCard(w.owner, await w.session(), deviceId, req)));
      const onBand = w.band.booted.status().cards;
      expect(onBand).toHaveLength(batch.length);
      for (const [j, want] of batch.entries())
        expect(onBand.find((c) => c.cardRef === added[j].cardRef)).toMatchObject({
          issuer: want.issuer,
          ...(want.city ? { city: want.city } : {}),
        });
      for (const card of added) must(await removeCard(w.owner, await w.session(), deviceId, card.cardRef));
      expect(w.band.booted.status().cards).toHaveLength(0);
    }
  });
});
