/** Throughput measurement shared by every benchmark (npm run bench). */

/**
 * Runs `fn` for about `ms` milliseconds (after a short warm-up) in three slices and returns
 * the best slice's ops/s: on a shared machine the best slice is the least disturbed one.
 */
export function measure(fn: () => void, ms: number): number {
  const warmEnd = performance.now() + Math.min(50, ms / 4);
  while (performance.now() < warmEnd) fn();
  let best = 0;
  for (let slice = 0; slice < 3; slice++) {
    let n = 0;
    const start = performance.now();
    let now = start;
    while (now - start < ms / 3) {
      for (let i = 0; i < 4; i++) fn();
      n += 4;
      now = performance.now();
    }
    best = Math.max(best, (n * 1000) / (now - start));
  }
  return Math.round(best);
}
