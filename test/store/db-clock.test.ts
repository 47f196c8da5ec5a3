/**
 * The database clock (checkout/postgres/db-clock.ts): the offset to the server's clock is
 * whole milliseconds, since every time the store writes is a BIGINT (a half-millisecond
 * midpoint once made PostgreSQL refuse "1796477603933.5").
 */
import { expect, it } from 'vitest';
import type { Queryable } from '../../checkout/postgres/connect.ts';
import { DbClock } from '../../checkout/postgres/db-clock.ts';

it('reads the server clock as whole milliseconds, offset by what the server says', async () => {
  const server: Queryable = {
    // A server 90 s ahead, answering with a fraction (as a midpoint or EXTRACT can give).
    query: async () => ({ rows: [{ ms: Date.now() + 90_000.5 }] }) as never,
  };
  const clock = new DbClock(server);
  await clock.start();
  try {
    const now = clock.now();
    expect(Number.isInteger(now)).toBe(true);
    expect(Math.abs(now - (Date.now() + 90_000))).toBeLessThan(50);
  } finally {
    clock.stop();
  }
});
