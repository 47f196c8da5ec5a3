/**
 * `npm run pg:local`: a PostgreSQL server to try the checkout on, in a temp directory, on a
 * free loopback port, durable as in production; prints the URL to pass to `--db` and stops
 * (removing its data) on Ctrl-C. Uses the system's PostgreSQL (Debian: apt-get install
 * postgresql), as the tests do (harness/postgres/local-server.ts).
 */
import { startLocalPostgres } from '../harness/postgres/local-server.ts';

const server = await startLocalPostgres({ durable: true });
const url = await server.createDatabase('wristpay');
process.stdout.write(
  `PostgreSQL ${server.port} is up; data in ${server.dataDir} (removed when this stops)\n` +
    `  wristpay checkout start --db ${url}\n` +
    `  WRISTPAY_DB=${url} wristpay checkout account add --user shop --merchant "My Shop"\n` +
    'Ctrl-C stops it\n',
);
await new Promise<void>((resolve) => {
  process.once('SIGINT', () => resolve());
  process.once('SIGTERM', () => resolve());
});
await server.stop();
process.stdout.write('PostgreSQL stopped\n');
