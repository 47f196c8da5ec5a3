/**
 * The ids that travel on the air in every payment (merchant `m_`, terminal `t_`, card token
 * reference `tok_`) are 8 base32 characters: 5 random bytes, so two can collide. Every insert
 * of one retries with a fresh id when the store reports the id taken (a UNIQUE conflict
 * caught in the INSERT itself). Here the RNG is made to repeat the bytes of an id already in
 * use, and the second insert must land under a fresh id instead of failing or overwriting.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultProvider } from '../../shared/crypto/default-provider.ts';
import type { HostCryptoProvider } from '../../shared/crypto/host-provider.ts';
import { Checkout } from '../../checkout/checkout.ts';
import { createTerminalKey } from '../../checkout/api/client.ts';
import { resolveConfig } from '../../checkout/core/config.ts';
import { base32, insertWithFreshId, newId } from '../../checkout/core/ids.ts';
import { loadOrCreateKeys } from '../../checkout/core/keys.ts';
import { CheckoutMetrics } from '../../checkout/metrics.ts';
import { openPgStore } from '../../checkout/postgres/store.ts';
import { openSqliteStore } from '../../checkout/sqlite/store.ts';
import type { CheckoutStore } from '../../checkout/store.ts';
import { usePostgres } from '../support/postgres.ts';
import { needs, requirements } from '../support/requirements.ts';
import { Status } from '../../shared/status/codes.ts';
import { BandDouble } from './helpers/band-double.ts';

/** The host provider, with 5-byte draws (the on-air ids') scriptable: queued values come first. */
function scriptedProvider(): {
  provider: HostCryptoProvider;
  repeat: (bytes: Uint8Array, times?: number) => void;
  drawn: Uint8Array[];
} {
  const real = defaultProvider();
  const queue: Uint8Array[] = [];
  const drawn: Uint8Array[] = [];
  const provider: HostCryptoProvider = Object.create(real);
  provider.randomBytes = (n: number) => {
    if (n !== 5) return real.randomBytes(n);
    const b = queue.shift() ?? real.randomBytes(5);
    drawn.push(b);
    return b;
  };
  return {
    provider,
    drawn,
    repeat: (bytes, times = 1) => {
      for (let i = 0; i < times; i++) queue.push(new Uint8Array(bytes));
    },
  };
}

const PASSWORD = 'correct horse battery';
const idOf = (prefix: string, bytes: Uint8Array) => `${prefix}_${base32(bytes)}`;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
/** How often `bytes` was drawn: proof that the colliding ids were really tried. */
const timesDrawn = (drawn: Uint8Array[], bytes: Uint8Array) => drawn.filter((d) => hex(d) === hex(bytes)).length;

describe('ids that travel on the air', () => {
  it('are 8 base32 characters for m, t and tok, 16 for every other kind', () => {
    const p = defaultProvider();
    for (const kind of ['m', 't', 'tok'] as const) expect(newId(p, kind)).toMatch(new RegExp(`^${kind}_[a-z2-7]{8}$`));
    for (const kind of ['acc', 'enr', 'ch', 'trd', 'pay', 'rfd', 'ntf'] as const)
      expect(newId(p, kind)).toMatch(new RegExp(`^${kind}_[a-z2-7]{16}$`));
  });

  it('insertWithFreshId retries only on idTaken, passes other refusals through, and gives up with INTERNAL', async () => {
    const p = defaultProvider();
    const tried: string[] = [];
    const r = await insertWithFreshId(p, 't', async (id) => {
      tried.push(id);
      return tried.length < 3 ? { ok: false, status: Status.CONFLICT, idTaken: true } : { ok: true, value: id };
    });
    expect(r).toEqual({ ok: true, value: tried[2] });
    expect(new Set(tried).size).toBe(3);
    const other = await insertWithFreshId(p, 'tok', async () => ({
      ok: false,
      status: Status.WALLET_FULL,
      detail: 'full',
    }));
    expect(other).toEqual({ ok: false, status: Status.WALLET_FULL, detail: 'full' });
    await expect(
      insertWithFreshId(p, 'm', async () => ({ ok: false, status: Status.CONFLICT, idTaken: true })),
    ).rejects.toMatchObject({ status: Status.INTERNAL });
  });
});

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('SQLite store', () => {
  collisions(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wristpay-ids-'));
    dirs.push(dir);
    return openSqliteStore(join(dir, 'checkout.db'));
  });
});

needs(requirements.postgres).describe('PostgreSQL store', () => {
  const pg = usePostgres();
  collisions(async () => openPgStore(await pg.database()));
});

function collisions(open: () => Promise<CheckoutStore>): void {
  describe('a colliding id is retried with a fresh one', () => {
    let checkout: Checkout;
    let rng: ReturnType<typeof scriptedProvider>;

    beforeAll(async () => {
      rng = scriptedProvider();
      // Assembled by hand rather than with createCheckout, so that the scripted provider is the
      // one newId draws from (createCheckout may put a pool of random bytes in front of it).
      const store = await open();
      const keys = await loadOrCreateKeys(store, rng.provider);
      const metrics = new CheckoutMetrics(store);
      checkout = new Checkout(
        {
          store,
          provider: rng.provider,
          clock: Date.now,
          config: resolveConfig({ scryptLog2N: 10 }),
          keys,
          observer: metrics,
          promotions: [],
        },
        metrics,
      );
    });
    afterAll(async () => {
      await checkout.close();
    });

    it('merchant accounts (m_)', async () => {
      const first = await checkout.register({
        username: 'shop-a',
        password: PASSWORD,
        kind: 'merchant',
        displayName: 'Shop A',
      });
      const firstBytes = rng.drawn[rng.drawn.length - 1];
      expect(first.id).toBe(idOf('m', firstBytes));
      rng.repeat(firstBytes, 2); // the next two draws collide with shop A
      const second = await checkout.register({
        username: 'shop-b',
        password: PASSWORD,
        kind: 'merchant',
        displayName: 'Shop B',
      });
      expect(second.id).toMatch(/^m_[a-z2-7]{8}$/);
      expect(second.id).not.toBe(first.id);
      expect(timesDrawn(rng.drawn, firstBytes)).toBe(3);
      expect((await checkout.store.accounts.byId(first.id))?.username).toBe('shop-a');
      expect((await checkout.store.accounts.byId(second.id))?.username).toBe('shop-b');
      // A taken username is still CONFLICT, not retried into a second account.
      await expect(
        checkout.register({ username: 'shop-a', password: PASSWORD, kind: 'merchant' }),
      ).rejects.toMatchObject({ status: Status.CONFLICT });
    });

    it('terminals (t_)', async () => {
      const merchant = await checkout.register({
        username: 'shop-c',
        password: PASSWORD,
        kind: 'merchant',
        displayName: 'Shop C',
      });
      const pair = async () =>
        checkout.pairTerminal(
          (await checkout.createPairingCode(merchant.id)).code,
          createTerminalKey(rng.provider).publicKey,
          'till',
        );
      const first = await pair();
      const firstBytes = rng.drawn[rng.drawn.length - 1];
      expect(first.terminalId).toBe(idOf('t', firstBytes));
      rng.repeat(firstBytes);
      const second = await pair();
      expect(timesDrawn(rng.drawn, firstBytes)).toBe(2);
      expect(second.terminalId).toMatch(/^t_[a-z2-7]{8}$/);
      expect(second.terminalId).not.toBe(first.terminalId);
      expect((await checkout.terminals(merchant.id)).map((t) => t.terminalId).sort()).toEqual(
        [first.terminalId, second.terminalId].sort(),
      );
    });

    it('card token references (tok_)', async () => {
      const owner = await checkout.register({ username: 'owner-a', password: PASSWORD });
      const band = BandDouble.create(rng.provider);
      const offer = await checkout.startEnrollment(owner.id);
      const view = await checkout.completeEnrollment(owner.id, offer.enrollId, band.enroll(offer.message), 'band');
      const first = await checkout.addCard(owner.id, view.deviceId, { issuerId: 'icbc' });
      const firstBytes = rng.drawn[rng.drawn.length - 1];
      expect(first.card.cardRef).toBe(idOf('tok', firstBytes));
      rng.repeat(firstBytes, 3);
      const second = await checkout.addCard(owner.id, view.deviceId, { issuerId: 'boc' });
      expect(timesDrawn(rng.drawn, firstBytes)).toBe(4);
      expect(second.card.cardRef).toMatch(/^tok_[a-z2-7]{8}$/);
      expect(second.card.cardRef).not.toBe(first.card.cardRef);
      const cards = await checkout.store.bands.cards(view.deviceId);
      expect(cards.map((c) => [c.cardRef, c.issuerId])).toEqual([
        [first.card.cardRef, 'icbc'],
        [second.card.cardRef, 'boc'],
      ]);
    });
  });
}
