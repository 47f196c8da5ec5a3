/**
 * The other end of the control channel: finds a running simulator through
 * DIR/control.json and calls its loopback API with the token written there (what
 * `wristpay sim wear|press|charge|status|reboot` do from another terminal).
 */
import { Status, type StatusCode } from '../../shared/status/codes.ts';
import { readJsonFile } from './atomic-file.ts';
import type { SimBandStatus } from './band-status.ts';
import type { ControlFile } from './simulator.ts';
import { statePaths } from './state-dir.ts';

export class ControlError extends Error {
  constructor(
    readonly status: StatusCode,
    message: string,
  ) {
    super(message);
    this.name = 'ControlError';
  }
}

export type BandAction = 'wear' | 'charge' | 'battery' | 'press' | 'reboot' | 'power-cut';

export interface StatusReply {
  simulator: Record<string, unknown>;
  bands: SimBandStatus[];
}

/** Reads DIR/control.json; ControlError(UNREACHABLE) when no simulator runs there. */
export function readControlFile(stateDir: string): ControlFile {
  const { control, dir } = statePaths(stateDir);
  let file: ControlFile | undefined;
  try {
    file = readJsonFile<ControlFile>(control);
  } catch (err) {
    throw new ControlError(Status.MALFORMED, (err as Error).message);
  }
  if (file === undefined)
    throw new ControlError(
      Status.UNREACHABLE,
      `no simulator is running on ${dir} (no control.json); start one with \`wristpay sim start --state ${dir}\``,
    );
  if (file.version !== 1 || typeof file.url !== 'string' || typeof file.token !== 'string')
    throw new ControlError(Status.MALFORMED, `${control} is not a simulator control file`);
  return file;
}

async function call<T>(
  stateDir: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  timeoutMs = 5000,
): Promise<T> {
  const file = readControlFile(stateDir);
  const url = new URL(path, file.url);
  if (url.hostname !== '127.0.0.1')
    throw new ControlError(Status.FORBIDDEN, `control.json names ${url.host}; only loopback is used`);
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${file.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    throw new ControlError(
      Status.UNREACHABLE,
      `the simulator on ${statePaths(stateDir).dir} does not answer at ${file.url} (${cause}); it may have crashed — start it again`,
    );
  }
  const json = (await res.json().catch(() => ({ ok: false, error: `HTTP ${res.status}` }))) as {
    ok?: boolean;
    error?: string;
  };
  if (!res.ok || json.ok !== true) {
    const status =
      res.status === 401
        ? Status.UNAUTHORIZED
        : res.status === 404
          ? Status.NOT_FOUND
          : res.status === 403
            ? Status.FORBIDDEN
            : Status.MALFORMED;
    throw new ControlError(status, json.error ?? `HTTP ${res.status}`);
  }
  return json as T;
}

/** Every band's status snapshot. */
export function fetchStatus(stateDir: string): Promise<StatusReply> {
  return call<StatusReply>(stateDir, 'GET', '/api/status');
}

/** Runs an action on band K; resolves with the band's status after it. */
export async function bandAction(
  stateDir: string,
  band: number,
  action: BandAction,
  body: Record<string, unknown> = {},
): Promise<SimBandStatus> {
  const r = await call<{ band: SimBandStatus }>(stateDir, 'POST', `/api/bands/${band}/${action}`, body);
  return r.band;
}

/**
 * The band's status once its wear state follows a taken-off sensor. The firmware confirms a
 * removal only after it has lasted the debounce (firmware/config.ts removalDebounceMs); until
 * then the band still says worn and advertises its old address. `sim wear off` waits for
 * that, so what it prints is where the band is, and the next command finds its new address.
 */
export async function settledAfterRemoval(
  stateDir: string,
  status: SimBandStatus,
  timeoutMs = 5000,
): Promise<SimBandStatus> {
  const deadline = Date.now() + timeoutMs;
  let s = status;
  while (!s.worn && s.running && s.state?.startsWith('worn') && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    s = (await fetchStatus(stateDir)).bands.find((b) => b.band === status.band) ?? s;
  }
  return s;
}
