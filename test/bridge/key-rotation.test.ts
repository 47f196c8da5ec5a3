/**
 * A checkout key rotation seen from the bridge (PROTOCOL.md §8): the real firmware
 * (in-process) enrolled before the rotation is charged through the bridge's flows after it;
 * the bridge relays the key update that comes with the accepted answer, the band takes it,
 * and it keeps paying after the old key is retired. Nobody re-enrolls.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCard, charge, enrollBand, unlockBand } from '../../bridge/flows/index.ts';
import { listKeys, retireKeys, rotateKeys } from '../../checkout/core/key-ring.ts';
import { openSqliteStore } from '../../checkout/sqlite/store.ts';
import { PASSWORD, type World, startWorld, unique } from './helpers/world.ts';

let w: World;

beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => {
  await w?.close();
});

/** Runs `work` on the checkout's database (as `wristpay checkout keys` does), then restarts the checkout. */
async function onStore<T>(work: (store: ReturnType<typeof openSqliteStore>) => Promise<T>): Promise<T> {
  const store = openSqliteStore(w.h.dbFile);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

async function chargeOnce(amount: number): Promise<void> {
  const r = await charge(w.terminal, await w.session(), { amount, currency: 'CNY', orderId: unique('ord-') });
  if (!r.ok) throw new Error(JSON.stringify(r));
}

describe('checkout key rotation over the bridge', () => {
  it('a band enrolled before the rotation pays after it, takes the new keys, and pays after the retirement', async () => {
    const enrolled = await enrollBand(w.owner, await w.session(), { name: 'my band' });
    if (!enrolled.ok) throw new Error(enrolled.message);
    const card = await addCard(w.owner, await w.session(), undefined, { issuerId: 'icbc' });
    if (!card.ok) throw new Error(card.message);
    w.band.putOn();
    const unlocked = await unlockBand(w.h.client, await w.session(), w.username, PASSWORD);
    if (!unlocked.ok) throw new Error(unlocked.message);
    await chargeOnce(1_00);

    await onStore((s) => rotateKeys(s, w.h.provider, w.h.clock.now()));
    await w.h.restart();
    // Paid under the previous keys; the bridge then relayed the key update on the same link.
    await chargeOnce(2_00);
    const ring = await onStore((s) => listKeys(s, w.h.provider));
    expect(ring.map((k) => [k.id, k.state, k.bands])).toEqual([
      [2, 'active', 1],
      [1, 'previous', 0],
    ]);
    await onStore((s) => retireKeys(s, w.h.provider, w.h.clock.now(), false));
    await w.h.restart();
    await chargeOnce(3_00);
    expect(w.band.booted.status().signatures).toBe(3);
  });
});
