import { defineConfig } from 'vitest/config';
import { SkippedSummary } from './test/support/skipped-summary.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // `checkout start` children stay single processes unless a test asks for --workers.
    env: { WRISTPAY_WORKERS: '1' },
    // The default output, then which suites skipped for a missing tool and how to get it.
    reporters: ['default', new SkippedSummary()],
  },
});
