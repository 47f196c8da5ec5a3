/**
 * `wristpay sim …`: flash an image, run the band simulator, and drive a running one from
 * another terminal. A thin shell over sim/band (flashImage, startSimulator, the control
 * client); results become exit codes only here: 0 ok · 1 refused (image, band) ·
 * 2 usage · 3 no simulator, port or directory busy, a corrupt state file.
 */
import type { Command } from 'commander';
import { waitForSignal } from './signals.ts';
import { Status } from '../shared/status/codes.ts';
import type { SimBandStatus } from '../sim/band/band-status.ts';
import {
  bandAction,
  ControlError,
  fetchStatus,
  settledAfterRemoval,
  type BandAction,
} from '../sim/band/control-client.ts';
import { flashImage } from '../sim/band/firmware-store.ts';
import { DEFAULT_ADDRESS_ROTATION_MS } from '../sim/band/band-radio.ts';
import { parseLinkSpec } from '../sim/band/link-model.ts';
import { startSimulator, SimulatorError } from '../sim/band/simulator.ts';
import { DEFAULT_RADIO_PORT, DEFAULT_UI_PORT, MAX_BANDS } from '../sim/band/state-dir.ts';
import { stateDirFrom } from './defaults.ts';
import { cliError, printError, usageError } from './cli-error.ts';
import { ExitCode } from './exit-codes.ts';
import { Spinner } from './spinner.ts';
import { GROUP_SUMMARY } from './summaries.ts';

interface Common {
  state: string;
  json?: boolean;
}
interface BandOpts extends Common {
  band: string;
}

/** Every sim error in the one shape (cli-error.ts): the message and a hint, no status sentence that could mislead. */
const fail = (json: boolean | undefined, status: number, message: string, hint?: string): void => {
  const e = cliError(status, message, hint ?? SIM_HINTS[status]);
  printError(process, !!json, e, { human: `wristpay: ${message} (${e.name})` });
};
const out = (json: boolean | undefined, value: unknown, text: string): void =>
  void process.stdout.write((json ? JSON.stringify(value) : text) + '\n');

function int(text: string, min: number, max: number): number | null {
  const n = Number(text);
  return /^[0-9]{1,6}$/.test(text) && n >= min && n <= max ? n : null;
}

function onOff(text: string): boolean | null {
  return text === 'on' ? true : text === 'off' ? false : null;
}

/** One band's status for people. */
export function formatBand(s: SimBandStatus): string {
  const kib = (n: number | null): string => (n === null ? '—' : `${(n / 1024).toFixed(1)} KiB`);
  const cards =
    s.cards.length === 0
      ? 'none'
      : s.cards
          .map(
            (c) =>
              `${c.issuer} ••${c.last4}${c.isDefault ? ' (default)' : ''}${c.kind === 'transit' && c.balance !== undefined ? ` balance ${(c.balance / 100).toFixed(2)}` : ''}`,
          )
          .join(', ');
  const l = s.link;
  return [
    [
      `band ${s.band}`,
      s.serial,
      s.address,
      s.halted ? `HALTED (${s.halted})` : s.running ? 'running' : 'not running',
      s.state ?? '',
    ]
      .filter((x) => x !== '')
      .join('  '),
    `  sensors  ${s.worn ? 'on wrist' : 'off wrist'}, ${s.charging ? 'charging' : 'not charging'}, battery ${s.battery} %, button pressed ${s.buttonPresses}×`,
    `  display  ${s.display.length ? s.display.join(' | ') : '(blank)'}`,
    `  cards    ${cards}`,
    `  heap     ${kib(s.heap.used)} (peak ${kib(s.heap.peak)}, engine ${kib(s.heap.baseline)})   resets ${s.resets}${s.lastReset ? ` (last: ${s.lastReset.reason})` : ''}`,
    `  link     ${l.connected ? 'connected' : 'advertising'}, mtu ${l.mtu}, ci ${l.ciMs} ms, loss ${l.loss}, model ${l.model}; in ${l.up.bytes} B/${l.up.fragments} writes/${l.up.events} events; out ${l.down.bytes} B/${l.down.fragments} notifications/${l.down.events} events`,
    `  firmware ${s.firmware.version ?? s.firmware.format}${s.firmware.signed ? '' : ' UNSIGNED'}${s.firmware.devKey ? ' (development key)' : ''}`,
  ].join('\n');
}

/** What to do when the simulator refuses, by status. */
const SIM_HINTS: Partial<Record<number, string>> = {
  [Status.BUSY]: 'stop the other simulator (Ctrl-C) or use another --state / WRISTPAY_STATE',
  [Status.UNREACHABLE]: 'start it: wristpay sim start (same --state)',
  [Status.BAD_SIGNATURE]:
    'flash an image signed by the vendor key (--vendor-key FILE), or --allow-unsigned for development',
};

/** Exit codes of the sim: a busy or corrupt state directory and no simulator are I/O (3); an unknown band usage (2). */
function simExit(status: number): number {
  if (status === Status.NOT_FOUND) return ExitCode.USAGE;
  return [Status.UNREACHABLE, Status.BUSY, Status.STORAGE_CORRUPT].includes(status as never)
    ? ExitCode.UNREACHABLE
    : ExitCode.DECLINED;
}

function controlFailed(e: unknown, setExit: (code: number) => void, json?: boolean): void {
  if (!(e instanceof ControlError)) throw e;
  fail(json, e.status, e.message);
  // A control file that does not parse is a corrupt state file: I/O, like a busy directory.
  setExit(e.status === Status.MALFORMED ? ExitCode.UNREACHABLE : simExit(e.status));
}

const usage = (json: boolean | undefined, setExit: (code: number) => void, message: string): void => {
  printError(process, !!json, usageError(message, 'see wristpay sim --help'));
  setExit(ExitCode.USAGE);
};

export function register(program: Command, setExit: (code: number) => void): void {
  const sim = program.command('sim').description(GROUP_SUMMARY.sim);
  // The flag, else $WRISTPAY_STATE, else the XDG default (defaults.ts), settled before the action runs.
  const stateOpt = (c: Command): Command =>
    c
      .option(
        '--state <dir>',
        'state directory of the band(s) (default $WRISTPAY_STATE, else $XDG_DATA_HOME/wristpay/band)',
      )
      .option('--json', 'machine-readable output')
      .hook(
        'preAction',
        (cmd) =>
          void cmd.setOptionValue(
            'state',
            stateDirFrom(cmd.getOptionValue('state') as string | undefined, process.env),
          ),
      );
  const bandOpt = (c: Command): Command =>
    stateOpt(c).option('--band <k>', 'which band, when the simulator runs several', '1');

  stateOpt(
    sim
      .command('flash <image>')
      .description('Verify a band image (header, hash, vendor signature) and flash it into the state directory.'),
  )
    .option('--vendor-key <file>', 'vendor public key (JSON with publicKey)', 'dist/vendor-pub.json')
    .option('--allow-unsigned', 'accept an image whose signature does not verify, or bare code (never a damaged image)')
    .action((image: string, o: Common & { vendorKey: string; allowUnsigned?: boolean }) => {
      const r = flashImage({ image, stateDir: o.state, vendorKey: o.vendorKey, allowUnsigned: o.allowUnsigned });
      if (!r.ok) {
        fail(o.json, r.status, r.message);
        // A missing image or vendor key is the user's to fix, like any bad argument.
        setExit(r.status === Status.NOT_FOUND ? ExitCode.USAGE : simExit(r.status));
        return;
      }
      const m = r.meta;
      const what =
        m.format === 'script'
          ? 'bare code (UNSIGNED)'
          : `image ${m.firmwareVersion}, ${m.signed ? `signed by ${m.keyId}${m.devKey ? ' (development key)' : ''}` : 'UNSIGNED'}`;
      out(
        o.json,
        { ok: true, stateDir: r.stateDir, firmware: m, band: r.band },
        `flashed ${what}, ${m.size} bytes, into ${r.stateDir}\nband 1: serial ${r.band.serial}${r.band.created ? ' (new band)' : ''}`,
      );
      if (!m.signed && !o.json) process.stderr.write('wristpay: warning: the band will run unsigned code\n');
      setExit(ExitCode.OK);
    });

  stateOpt(
    sim
      .command('start')
      .description(
        'Boot the flashed image on emulated hardware; serve the radio (noble websocket protocol) and the web UI until SIGINT/SIGTERM.',
      ),
  )
    .option('--radio-port <n>', 'noble websocket port (stock noble dials 2846)', String(DEFAULT_RADIO_PORT))
    .option(
      '--radio <kind>',
      'websocket, or hci: band 1 is also a BLE peripheral on the Bluetooth adapter through bleno (BLENO_HCI_DEVICE_ID picks the adapter)',
      'websocket',
    )
    .option('--ui-port <n>', 'web UI and control port (0: any free port)', String(DEFAULT_UI_PORT))
    .option('--bands <n>', `number of bands, 1..${MAX_BANDS} (state in DIR/band-K)`, '1')
    .option(
      '--link <spec>',
      'link model: ci=MS,mtu=N,loss=P (default ci=0 no delay, mtu=185, loss=0), model=single|spec (single: one fragment per connection event; spec: More Data, data length, PHY, event length) with phy=1|2,dle=27..251,ce=MS (spec defaults: 2, 251, the interval)',
    )
    .option('--firmware-config <json>', 'overrides of firmware/config.ts, e.g. {"removalDebounceMs":500}')
    .option(
      '--address-rotation-ms <n>',
      'longest life of one private radio address (default 900000 = 15 min; shorter for tests)',
    )
    .action(
      async (
        o: Common & {
          radioPort: string;
          radio: string;
          uiPort: string;
          bands: string;
          link?: string;
          firmwareConfig?: string;
          addressRotationMs?: string;
        },
      ) => {
        const radioPort = int(o.radioPort, 0, 65535);
        const uiPort = int(o.uiPort, 0, 65535);
        const bands = int(o.bands, 1, MAX_BANDS);
        const addressRotationMs =
          o.addressRotationMs === undefined ? undefined : int(o.addressRotationMs, 100, DEFAULT_ADDRESS_ROTATION_MS);
        if (addressRotationMs === null)
          return usage(o.json, setExit, `--address-rotation-ms must be 100..${DEFAULT_ADDRESS_ROTATION_MS}`);
        let link;
        let firmwareConfig: Record<string, unknown> | undefined;
        try {
          link = parseLinkSpec(o.link);
          firmwareConfig =
            o.firmwareConfig === undefined ? undefined : (JSON.parse(o.firmwareConfig) as Record<string, unknown>);
          if (
            firmwareConfig !== undefined &&
            (typeof firmwareConfig !== 'object' || firmwareConfig === null || Array.isArray(firmwareConfig))
          )
            throw new Error('--firmware-config must be a JSON object');
        } catch (e) {
          return usage(o.json, setExit, (e as Error).message);
        }
        if (o.radio !== 'websocket' && o.radio !== 'hci')
          return usage(o.json, setExit, `--radio is websocket or hci, not ${o.radio}`);
        if (radioPort === null || uiPort === null || bands === null)
          return usage(o.json, setExit, `--radio-port and --ui-port must be 0..65535, --bands 1..${MAX_BANDS}`);
        // Booting takes a moment (the image is checked again, QuickJS starts, flash is read).
        const spinner = new Spinner(process.stderr, !!o.json, process.stdout);
        const log = o.json
          ? (line: string) => out(true, { event: 'log', line }, '')
          : spinner.around((line: string) => process.stdout.write(`${line}\n`));
        spinner.start(`Booting ${bands === 1 ? 'the band' : `${bands} bands`} from ${o.state}…`);
        let s;
        try {
          s = await startSimulator({
            stateDir: o.state,
            radioPort,
            radio: o.radio,
            uiPort,
            bands,
            link,
            firmwareConfig,
            addressRotationMs,
            log,
          });
        } catch (e) {
          spinner.stop();
          if (!(e instanceof SimulatorError)) throw e;
          fail(o.json, e.status, e.message);
          // Options were checked above: a MALFORMED here is the state directory's flashed image or its record (corrupt: I/O).
          return setExit(e.status === Status.MALFORMED ? ExitCode.UNREACHABLE : simExit(e.status));
        }
        spinner.stop();
        const lines = [
          `band simulator on ${s.stateDir}`,
          ...s.bands.map(
            (b) =>
              `  band ${b.index}: serial ${b.serial}, private address ${b.address} now (a new one every boot, wear change and ${Math.round(s.addressRotationMs / 1000)} s)`,
          ),
          `radio   ws://localhost:${s.radioPort}  (noble websocket protocol${s.radioPort === DEFAULT_RADIO_PORT ? '; stock noble websocket bindings connect here' : ''})`,
          ...(o.radio === 'hci'
            ? ['radio   Bluetooth adapter (HCI, bleno): band 1 advertises the wristpay service']
            : []),
          `web UI  ${s.url}/`,
          `link    ci ${link.ciMs} ms, mtu ${link.mtu}, loss ${link.loss}, model ${link.model ?? 'single'}`,
          'Ctrl-C stops it (flash is flushed)',
        ];
        // Listening for the signal before saying it started: a script that signals on that line stops it gracefully.
        const stopped = waitForSignal();
        out(
          o.json,
          {
            event: 'started',
            stateDir: s.stateDir,
            radioPort: s.radioPort,
            radio: o.radio,
            uiPort: s.uiPort,
            url: s.url,
            link,
            addressRotationMs: s.addressRotationMs,
            bands: s.bands.map((b) => ({
              band: b.index,
              serial: b.serial,
              address: b.address,
              peripheralId: b.peripheralId,
            })),
          },
          lines.join('\n'),
        );
        const signal = await stopped;
        await s.stop();
        out(o.json, { event: 'stopped', signal }, `simulator stopped (${signal})`);
        setExit(ExitCode.OK);
      },
    );

  /** The drive-a-running-simulator commands share one shape. */
  const action = (name: string, description: string, act: BandAction, arg?: 'on|off'): void => {
    const cmd = bandOpt(sim.command(arg ? `${name} <${arg}>` : name).description(description));
    cmd.action(async (...args: unknown[]) => {
      const o = (arg ? args[1] : args[0]) as BandOpts;
      const band = int(o.band, 1, MAX_BANDS);
      const on = arg ? onOff(String(args[0])) : null;
      if (band === null || (arg && on === null))
        return usage(o.json, setExit, arg ? `${name} takes on or off, and --band a number` : '--band must be a number');
      try {
        const after = await bandAction(o.state, band, act, on === null ? {} : { on });
        const s = act === 'wear' && on === false ? await settledAfterRemoval(o.state, after) : after;
        out(o.json, { ok: true, band: s }, formatBand(s));
        setExit(ExitCode.OK);
      } catch (e) {
        controlFailed(e, setExit, o.json);
      }
    });
  };
  action(
    'wear',
    'Put the band on the wrist (on) or take it off (off): a raw wear-sensor sample; off waits until the band confirms the removal (its 1.5 s debounce).',
    'wear',
    'on|off',
  );
  action('charge', 'Put the band on its charger (on) or take it off (off).', 'charge', 'on|off');
  action('press', 'Press the band button.', 'press');
  action('reboot', 'Reset the band (the image boots again from flash; a halted band retries).', 'reboot');

  bandOpt(
    sim
      .command('power-cut')
      .description("Cut the band's power at the n-th next flash program/erase (tests of the journal)."),
  )
    .requiredOption('--after <n>', 'flash operations until the cut (1 = the next one)')
    .action(async (o: BandOpts & { after: string }) => {
      const band = int(o.band, 1, MAX_BANDS);
      const after = int(o.after, 1, 1_000_000);
      if (band === null || after === null)
        return usage(o.json, setExit, '--after and --band must be whole numbers >= 1');
      try {
        const s = await bandAction(o.state, band, 'power-cut', { after });
        out(o.json, { ok: true, band: s }, `band ${band}: power cut armed at the ${after}. next flash operation`);
        setExit(ExitCode.OK);
      } catch (e) {
        controlFailed(e, setExit, o.json);
      }
    });

  bandOpt(
    sim
      .command('battery')
      .argument('<percent>', 'the charge its fuel gauge reads, 0-100')
      .description("Set the band's battery level (the band tells its checkout at its next contact)."),
  ).action(async (percent: string, o: BandOpts) => {
    const band = int(o.band, 1, MAX_BANDS);
    const p = int(percent, 0, 100);
    if (band === null || p === null) return usage(o.json, setExit, 'percent takes a whole number from 0 to 100');
    try {
      const s = await bandAction(o.state, band, 'battery', { percent: p });
      out(o.json, { ok: true, band: s }, formatBand(s));
      setExit(ExitCode.OK);
    } catch (e) {
      controlFailed(e, setExit, o.json);
    }
  });

  bandOpt(
    sim.command('status').description("Show a running simulator's bands: display, sensors, cards, heap, link figures."),
  )
    .option('--all', 'every band (default: the one named by --band, or all when several run)')
    .action(async (o: BandOpts & { all?: boolean }, cmd: Command) => {
      try {
        const r = await fetchStatus(o.state);
        const explicit = cmd.getOptionValueSource('band') === 'cli';
        const bands =
          o.all || (!explicit && r.bands.length > 1) ? r.bands : r.bands.filter((b) => String(b.band) === o.band);
        if (bands.length === 0)
          throw new ControlError(
            Status.NOT_FOUND,
            `no band ${o.band} (running: ${r.bands.map((b) => b.band).join(', ')})`,
          );
        out(o.json, { ok: true, simulator: r.simulator, bands }, bands.map(formatBand).join('\n\n'));
        setExit(ExitCode.OK);
      } catch (e) {
        controlFailed(e, setExit, o.json);
      }
    });
}
