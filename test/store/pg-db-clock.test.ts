/**
 * The database clock of the PostgreSQL store (checkout/postgres/db-clock.ts) reads whole
 * milliseconds: every time it gives is stored in a BIGINT column, and a fractional one is
 * refused by PostgreSQL ("invalid input syntax for type bigint"): a registration or a
 * payment failed with INTERNAL whenever the round trip it was measured over had an odd sum.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Queryable } from '../../checkout/postgres/connect.ts';
import { DbClock } from '../../checkout/postgres/db-clock.ts';

describe('DbClock', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('keeps whole milliseconds when the round trip’s midpoint is not one', async () => {
    const server = 1_800_000_000_000;
    const db = { query: async () => ({ rows: [{ ms: server }] }) } as unknown as Queryable;
    const now = vi.spyOn(Date, 'now');
    now.mockReturnValueOnce(1_000).mockReturnValueOnce(1_001); // sent, received: midpoint 1000.5
    const clock = new DbClock(db);
    await clock.start();
    clock.stop();
    now.mockReturnValue(1_001);
    expect(Number.isInteger(clock.now())).toBe(true);
    expect(Math.abs(clock.now() - server)).toBeLessThanOrEqual(1);
  });
});
