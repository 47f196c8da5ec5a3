/**
 * A throw-away PostgreSQL server for tests, benchmarks and `npm run pg:local`: initdb in a
 * temp dir, `postgres` on a free loopback port, trust authentication for one superuser,
 * stopped (and its directory removed) by `stop()`.
 *
 * The binaries are the system's (Debian's `postgresql` package, /usr/lib/postgresql/N/bin;
 * or wherever PG_BIN or `pg_config --bindir` points): an operating-system package gets its
 * security updates from the distribution, unlike a binary downloaded into node_modules.
 * PostgreSQL refuses to run as root, so as root the server runs as the `postgres` system
 * user the package creates (spawn's uid/gid), in a directory handed to that user.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface LocalPostgres {
  /** postgres://wristpay@127.0.0.1:PORT/postgres: the maintenance database, superuser. */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** Creates an empty database and returns its URL (one per suite keeps suites apart). */
  createDatabase(name: string): Promise<string>;
  /** Stops the server (fast shutdown: in-flight transactions roll back) and keeps the data. */
  stopServer(): Promise<void>;
  /** Starts it again on the same port and data (a database restart). */
  startServer(): Promise<void>;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

export interface LocalPostgresOptions {
  /**
   * Durable as in production (fsync and synchronous_commit on): benchmarks. Tests default to
   * fsync off, which changes nothing they check but makes each commit cheap.
   */
  durable?: boolean;
  /** Extra `-c name=value` settings. */
  settings?: Record<string, string | number>;
}

const USER = 'wristpay';

/** Where postgres, initdb and pg_ctl are: PG_BIN, `pg_config --bindir`, or Debian's newest. */
export function postgresBinDir(): string | undefined {
  const fromEnv = process.env.PG_BIN;
  if (fromEnv) return existsSync(join(fromEnv, 'postgres')) ? fromEnv : undefined;
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => existsSync(join(debian, v, 'bin', 'postgres')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length > 0) return join(debian, versions[0], 'bin');
  }
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
    return existsSync(join(dir, 'postgres')) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** As root: the unprivileged user that will own the server (PostgreSQL will not run as root). */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }));
      const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }));
      return { uid, gid };
    } catch {
      // try the next
    }
  }
  throw new Error('running as root and there is no postgres (or nobody) user to run PostgreSQL as');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startLocalPostgres(options: LocalPostgresOptions = {}): Promise<LocalPostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed (apt-get install postgresql, or set PG_BIN)');
  const owner = serverUser();
  const dir = mkdtempSync(join(tmpdir(), 'wristpay-pg-'));
  const dataDir = join(dir, 'data');
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const asOwner = owner ? { uid: owner.uid, gid: owner.gid } : {};
  execFileSync(
    join(bin, 'initdb'),
    ['-D', dataDir, '-U', USER, '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-instructions'],
    { ...asOwner, stdio: ['ignore', 'ignore', 'pipe'], cwd: dir },
  );
  const port = await freePort();
  const settings: Record<string, string | number> = {
    listen_addresses: '127.0.0.1',
    port,
    unix_socket_directories: dir,
    max_connections: 200,
    ...(options.durable ? {} : { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' }),
    ...options.settings,
  };
  const args = ['-D', dataDir, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  let server: ChildProcess | undefined;
  let log = '';

  const startServer = async (): Promise<void> => {
    log = '';
    const child = spawn(join(bin, 'postgres'), args, { ...asOwner, stdio: ['ignore', 'ignore', 'pipe'], cwd: dir });
    child.stderr?.on('data', (d) => {
      if (log.length < 20_000) log += String(d);
    });
    server = child;
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`postgres exited (${child.exitCode}):\n${log}`);
      const client = new pg.Client({ connectionString: url('postgres') });
      try {
        await client.connect();
        await client.end();
        return;
      } catch (e) {
        await client.end().catch(() => undefined);
        if (Date.now() > deadline) throw new Error(`postgres did not accept connections: ${String(e)}\n${log}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  };

  const stopServer = async (): Promise<void> => {
    const child = server;
    server = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT'); // fast shutdown (https://www.postgresql.org/docs/15/server-shutdown.html)
    await exited;
  };

  const url = (db: string) => `postgres://${USER}@127.0.0.1:${port}/${db}`;
  await startServer();
  return {
    url: url('postgres'),
    port,
    dataDir,
    async createDatabase(name: string) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
      const client = new pg.Client({ connectionString: url('postgres') });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    stopServer,
    startServer,
    async stop() {
      await stopServer();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
