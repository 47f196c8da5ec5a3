/**
 * The PostgreSQL store's clock (checkout/postgres/db-clock.ts) goes into bigint columns: it
 * must be whole milliseconds even when the round trip that measured its offset was odd
 * (the midpoint then falls on a half; PostgreSQL refused "1796476265755.5" as a bigint).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Queryable } from '../../checkout/postgres/connect.ts';
import { DbClock } from '../../checkout/postgres/db-clock.ts';

afterEach(() => vi.restoreAllMocks());

describe('DbClock', () => {
  it('keeps whole milliseconds after an odd round trip', async () => {
    const times = [1_000, 1_001, 5_000];
    vi.spyOn(Date, 'now').mockImplementation(() => times.shift() ?? 5_000);
    const db = { query: async () => ({ rows: [{ ms: '2000' }] }) } as unknown as Queryable;
    const clock = new DbClock(db);
    await clock.start();
    clock.stop();
    // Offset 2000 - 1000.5 = 999.5, whole: 1000 (either neighbour would do; a fraction would not).
    expect(Number.isInteger(clock.now())).toBe(true);
    expect(Math.abs(clock.now() - 5_999.5)).toBeLessThanOrEqual(0.5);
  });
});
