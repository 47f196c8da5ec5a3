/**
 * The HAL as the QuickJS host marshals it (./quickjs-host.ts): every Hal method with the
 * kinds of its arguments and result, and the two guest-side ES5 byte conversions.
 * HAL_METHODS is typed from the Hal interface, so a method added to firmware/hal.ts fails the type check here until it is given a signature.
 */
import type { Hal } from '../../firmware/hal.ts';

/** Argument/return kinds: number, boolean, string, bytes, nullable bytes, string[], void, callbacks. */
export type Kind = 'n' | 'b' | 's' | 'y' | 'y?' | 'S' | 'v' | 'f' | 'fn' | 'fb' | 'fy' | 'timer';
export type Sig = readonly [args: readonly Kind[], ret: Kind];

type MethodsOf<T> = { [K in keyof T]-?: T[K] extends (...args: never[]) => unknown ? K : never }[keyof T];
type HalSignatures = { [G in keyof Hal]: { [M in MethodsOf<Hal[G]>]: Sig } };

/** Every Hal method and how its values cross the boundary. */
export const HAL_METHODS: HalSignatures = {
  clock: { monotonicMs: [[], 'n'], wallMs: [[], 'n'], setTimer: [['n', 'timer'], 'n'], cancelTimer: [['n'], 'v'] },
  random: { bytes: [['n'], 'y'] },
  se: {
    hasKey: [['n'], 'b'],
    generate: [['n'], 'v'],
    erase: [['n'], 'v'],
    publicKey: [['n'], 'y?'],
    sign: [['n', 'y'], 'y?'],
    ecdh: [['n', 'y'], 'y?'],
    verify: [['y', 'y', 'y'], 'b'],
    isValidPublic: [['y'], 'b'],
  },
  hash: { sha256: [['y'], 'y'], hmacSha256: [['y', 'y'], 'y'] },
  aead: { seal: [['y', 'y', 'y', 'y'], 'y'], open: [['y', 'y', 'y', 'y'], 'y?'] },
  flash: { read: [['n', 'n', 'n'], 'y'], erase: [['n'], 'v'], program: [['n', 'n', 'y'], 'v'] },
  wear: { onSample: [['fb'], 'v'], current: [[], 'b'] },
  charger: { onChange: [['fb'], 'v'], isCharging: [[], 'b'], batteryPercent: [[], 'n'] },
  button: { onPress: [['f'], 'v'] },
  haptics: { buzz: [['n'], 'v'] },
  display: { show: [['S'], 'v'] },
  radio: {
    onConnect: [['fn'], 'v'],
    onDisconnect: [['f'], 'v'],
    onWrite: [['fy'], 'v'],
    notify: [['y'], 'v'],
    setInfo: [['y'], 'v'],
    mtu: [[], 'n'],
    setIdentityKey: [['y'], 'v'],
    newAddress: [[], 'v'],
  },
  log: { log: [['s'], 'v'] },
};
/** Read-only numeric properties, copied once at boot. */
export const HAL_PROPS: { [G in keyof Hal]?: ReadonlyArray<Exclude<keyof Hal[G], MethodsOf<Hal[G]>>> } = {
  se: ['slotCount'],
  flash: ['pageSize', 'pageCount'],
  display: ['lines', 'columns'],
};

/**
 * Guest side of the bridge (ES5), evaluated once: `[build, toBuffer, toBytes]`.
 * - build(call, names) makes the `hal` object: for each group, one small closure per method
 *   that forwards to the single host function `call(id, a, b, c, d)` (id = the method's
 *   index in HAL_METHODS order). A host function costs the guest heap about 220 bytes, a
 *   closure of shared code about 95, so one host entry point keeps the bridge small.
 * - toBuffer / toBytes: bytes cross the boundary as ArrayBuffers (one copy each way, no
 *   per-byte handles); the image sees fresh Uint8Arrays.
 */
export const BRIDGE_SOURCE = `[
  function (call, names) {
    function method(id) { return function (a, b, c, d) { return call(id, a, b, c, d); }; }
    var hal = {}, id = 0;
    for (var g in names) {
      hal[g] = {};
      for (var i = 0; i < names[g].length; i++) hal[g][names[g][i]] = method(id++);
    }
    return hal;
  },
  function (u) {
    if (!(u instanceof Uint8Array)) throw new TypeError('expected a Uint8Array');
    if (u.byteOffset === 0 && u.byteLength === u.buffer.byteLength) return u.buffer;
    var c = new Uint8Array(u.length); c.set(u); return c.buffer;
  },
  function (b) { return new Uint8Array(b); }
]`;

/** Most arguments a Hal method takes (BRIDGE_SOURCE forwards four). */
export const MAX_HAL_ARGS = 4;
