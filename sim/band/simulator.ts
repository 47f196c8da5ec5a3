/**
 * startSimulator: boots the flashed image on N bands (each its own QuickJS runtime, state
 * subdirectory and rotating private radio address), serves noble's websocket protocol on the radio port
 * and the web UI + control API on the UI port (both loopback), and writes
 * DIR/control.json so `wristpay sim wear|press|…` in another terminal can find it.
 * `stop()` ends it cleanly: links dropped, engines disposed, flash flushed, files removed.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { Status, type StatusCode } from '../../shared/status/codes.ts';
import { loadQuickJS } from '../engine/quickjs-host.ts';
import { readJsonFile, writeJsonAtomic } from './atomic-file.ts';
import { startControlServer, type ControlServer } from './control-server.ts';
import { loadFlashedImage } from './firmware-store.ts';
import { DEFAULT_LINK, checkLink, parseLinkSpec, type LinkConfig } from './link-model.ts';
import { DEFAULT_ADDRESS_ROTATION_MS } from './band-radio.ts';
import { type HciPeripheral, startHciPeripheral } from './hci-peripheral.ts';
import { startRadioServer, type RadioServer } from './radio-server.ts';
import { SimBand } from './sim-band.ts';
import { acquireSimLock } from './sim-lock.ts';
import { DEFAULT_RADIO_PORT, DEFAULT_UI_PORT, MAX_BANDS, defaultStateDir, statePaths } from './state-dir.ts';

export interface StartSimulatorOptions {
  /** State directory (default: $XDG_DATA_HOME/wristpay/band or ~/.local/share/wristpay/band). */
  stateDir?: string;
  /** noble websocket port (default 2846, where stock noble's websocket bindings dial); 0 = ephemeral. */
  radioPort?: number;
  /** Web UI and control API port (default 2847); 0 = ephemeral. */
  uiPort?: number;
  /** Bands to run, 1..16 (default 1); band K keeps its state in DIR/band-K. */
  bands?: number;
  /** Link model: `ci=15,mtu=185,loss=0` or an object (default ci 0 = no delay, mtu 185, loss 0). */
  link?: string | Partial<LinkConfig>;
  /** Overrides of firmware/config.ts handed to the image as `wristpayConfig`. */
  firmwareConfig?: Record<string, unknown>;
  /** Watchdog budget per guest event, in QuickJS interrupt polls (default 3000 ≈ 2 s). */
  interruptBudget?: number;
  /** Longest life of one private radio address (default 15 min; at least 10 ms, for tests). */
  addressRotationMs?: number;
  /** Where the simulator's own log lines go (default: nowhere). */
  log?: (line: string) => void;
  /**
   * `hci`: band 1 is also a real BLE peripheral through bleno on the HCI adapter
   * (BLENO_HCI_DEVICE_ID picks which; hci-peripheral.ts). The air then sets the timing, so the
   * link model keeps only its MTU: ci and loss must be 0. Default `websocket` alone.
   */
  radio?: 'websocket' | 'hci';
}

export interface Simulator {
  readonly stateDir: string;
  readonly radioPort: number;
  readonly uiPort: number;
  /** http://127.0.0.1:<uiPort>: the page, /events, /api/… */
  readonly url: string;
  /** The control API's bearer token (also in DIR/control.json). */
  readonly token: string;
  /** Longest life of one private radio address. */
  readonly addressRotationMs: number;
  readonly bands: readonly SimBand[];
  /** Band K (1-based). */
  band(k: number): SimBand;
  stop(): Promise<void>;
}

/** What DIR/control.json holds while a simulator runs (mode 0600). */
export interface ControlFile {
  version: 1;
  pid: number;
  url: string;
  token: string;
  radioPort: number;
  uiPort: number;
  stateDir: string;
  startedAt: string;
  /** No address: it rotates (docs/PROTOCOL.md §7); `sim status` shows the current one. */
  bands: { band: number; serial: string }[];
}

export class SimulatorError extends Error {
  constructor(
    readonly status: StatusCode,
    message: string,
  ) {
    super(message);
    this.name = 'SimulatorError';
  }
}

function linkConfig(link: StartSimulatorOptions['link']): LinkConfig {
  try {
    return typeof link === 'string' || link === undefined
      ? parseLinkSpec(link)
      : checkLink({ ...DEFAULT_LINK, ...link });
  } catch (err) {
    throw new SimulatorError(Status.MALFORMED, (err as Error).message);
  }
}

export async function startSimulator(opts: StartSimulatorOptions = {}): Promise<Simulator> {
  const paths = statePaths(opts.stateDir ?? defaultStateDir());
  const count = opts.bands ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > MAX_BANDS)
    throw new SimulatorError(Status.MALFORMED, `--bands must be 1..${MAX_BANDS}, got ${count}`);
  const link = linkConfig(opts.link);
  if (opts.radio === 'hci' && count !== 1)
    throw new SimulatorError(
      Status.MALFORMED,
      '--radio hci serves one band (bleno drives an adapter as one peripheral)',
    );
  if (opts.radio === 'hci' && (link.ciMs > 0 || link.loss > 0))
    throw new SimulatorError(Status.MALFORMED, '--radio hci: the air sets the timing; --link takes only mtu there');
  const addressRotationMs = opts.addressRotationMs ?? DEFAULT_ADDRESS_ROTATION_MS;
  if (!Number.isInteger(addressRotationMs) || addressRotationMs < 10)
    throw new SimulatorError(Status.MALFORMED, `addressRotationMs must be an integer ≥ 10, got ${addressRotationMs}`);
  const log = opts.log ?? (() => {});
  const image = loadFlashedImage(paths.dir);
  if (!image.ok) throw new SimulatorError(image.status, image.message);
  let release: () => void;
  try {
    release = acquireSimLock(paths.dir);
  } catch (err) {
    throw new SimulatorError(Status.BUSY, (err as Error).message);
  }
  const bands: SimBand[] = [];
  let radio: RadioServer | undefined;
  let control: ControlServer | undefined;
  let peripheral: HciPeripheral | undefined;
  const token = randomBytes(24).toString('hex');
  const cleanup = async (): Promise<void> => {
    await control?.close();
    await peripheral?.close();
    await radio?.close();
    for (const b of bands) b.stop();
    release();
  };
  try {
    await loadQuickJS();
    for (let k = 1; k <= count; k++) {
      const band = new SimBand({
        stateDir: paths.dir,
        index: k,
        code: image.value.code,
        firmware: image.value.meta,
        link: { ...link, seed: link.seed === undefined ? undefined : link.seed + k },
        firmwareConfig: opts.firmwareConfig,
        interruptBudget: opts.interruptBudget,
        addressRotationMs,
      });
      band.on('log', (l: { source: string; text: string }) =>
        log(`band ${k}${l.source === 'band' ? ' firmware' : ''}: ${l.text}`),
      );
      bands.push(band);
      if (band.hw.created) log(`band ${k}: new band, serial ${band.serial}`);
      band.boot();
    }
    radio = await startRadioServer({ port: opts.radioPort ?? DEFAULT_RADIO_PORT, bands: () => bands, log });
    const radioPort = radio.port;
    if (opts.radio === 'hci') {
      try {
        peripheral = await startHciPeripheral(bands[0], log);
      } catch (err) {
        throw new SimulatorError(Status.UNREACHABLE, (err as Error).message);
      }
    }
    const started = new Date().toISOString();
    control = await startControlServer({
      port: opts.uiPort ?? DEFAULT_UI_PORT,
      token,
      bands: () => bands,
      info: () => ({
        stateDir: paths.dir,
        radioPort,
        uiPort: control?.port,
        pid: process.pid,
        startedAt: started,
        link,
        bands: bands.length,
      }),
    });
    const file: ControlFile = {
      version: 1,
      pid: process.pid,
      url: control.url,
      token,
      radioPort,
      uiPort: control.port,
      stateDir: paths.dir,
      startedAt: started,
      bands: bands.map((b) => ({ band: b.index, serial: b.serial })),
    };
    writeJsonAtomic(paths.control, file, { mode: 0o600 });
  } catch (err) {
    await cleanup();
    if (err instanceof SimulatorError) throw err;
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE')
      throw new SimulatorError(
        Status.BUSY,
        `port in use: ${e.message} (pick another with --radio-port / --ui-port, or 0 for any free port)`,
      );
    throw err;
  }
  const ui = control;
  let stopping: Promise<void> | undefined;
  return {
    stateDir: paths.dir,
    radioPort: radio.port,
    uiPort: ui.port,
    url: ui.url,
    token,
    addressRotationMs,
    bands,
    band(k: number): SimBand {
      const b = bands.find((x) => x.index === k);
      if (!b) throw new RangeError(`no band ${k} (1..${bands.length})`);
      return b;
    },
    stop(): Promise<void> {
      stopping ??= (async () => {
        try {
          const cur = readJsonFile<ControlFile>(paths.control);
          if (cur?.token === token) rmSync(paths.control, { force: true });
        } catch {
          // unreadable: leave it; the lock tells the next run this one is gone
        }
        await cleanup();
        log('simulator stopped; flash flushed');
      })();
      return stopping;
    },
  };
}
