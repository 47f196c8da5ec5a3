/**
 * The HAL as the QuickJS host marshals it (./quickjs-host.ts): every Hal method with the
 * kinds of its arguments and result, and the guest-side ES5 prelude that turns the raw
 * host functions (bytes as ArrayBuffers) into the `hal` object the image sees (bytes as
 * fresh Uint8Arrays). HAL_METHODS is typed from the Hal interface, so a method added to
 * firmware/hal.ts fails the type check here until it is given a signature.
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
    hasKey: [['n'], 'b'], generate: [['n'], 'v'], erase: [['n'], 'v'], publicKey: [['n'], 'y?'],
    sign: [['n', 'y'], 'y?'], ecdh: [['n', 'y'], 'y?'], verify: [['y', 'y', 'y'], 'b'], isValidPublic: [['y'], 'b'],
  },
  hash: { sha256: [['y'], 'y'], hmacSha256: [['y', 'y'], 'y'] },
  aead: { seal: [['y', 'y', 'y', 'y'], 'y'], open: [['y', 'y', 'y', 'y'], 'y?'] },
  flash: { read: [['n', 'n', 'n'], 'y'], erase: [['n'], 'v'], program: [['n', 'n', 'y'], 'v'] },
  wear: { onSample: [['fb'], 'v'], current: [[], 'b'] },
  charger: { onChange: [['fb'], 'v'], isCharging: [[], 'b'] },
  button: { onPress: [['f'], 'v'] },
  haptics: { buzz: [['n'], 'v'] },
  display: { show: [['S'], 'v'] },
  radio: {
    onConnect: [['fn'], 'v'], onDisconnect: [['f'], 'v'], onWrite: [['fy'], 'v'], notify: [['y'], 'v'],
    setInfo: [['y'], 'v'], mtu: [[], 'n'],
  },
  log: { log: [['s'], 'v'] },
};
/** Read-only numeric properties, copied once at boot. */
export const HAL_PROPS: { [G in keyof Hal]?: ReadonlyArray<Exclude<keyof Hal[G], MethodsOf<Hal[G]>>> } = { se: ['slotCount'], flash: ['pageSize', 'pageCount'], display: ['lines', 'columns'] };

/** Guest side of the bridge (ES5): wraps the raw host functions into the Hal shape. */
export const PRELUDE = `(function (raw, spec, props) {
  function toBuffer(u, what) {
    if (!(u instanceof Uint8Array)) throw new TypeError(what + ': expected a Uint8Array');
    if (u.byteOffset === 0 && u.byteLength === u.buffer.byteLength) return u.buffer;
    var c = new Uint8Array(u.length); c.set(u); return c.buffer;
  }
  function method(g, m, sig) {
    var f = raw[g + '.' + m], kinds = sig[0], ret = sig[1], what = 'hal.' + g + '.' + m;
    return function () {
      var a = [];
      for (var i = 0; i < kinds.length; i++) {
        var k = kinds[i], v = arguments[i];
        if (k === 'y') v = toBuffer(v, what);
        else if (k.charAt(0) === 'f' || k === 'timer') {
          if (typeof v !== 'function') throw new TypeError(what + ': expected a function');
          if (k === 'fy') v = (function (fn) { return function (b) { fn(new Uint8Array(b)); }; })(v);
        }
        a.push(v);
      }
      var r = f.apply(null, a);
      return (ret === 'y' || ret === 'y?') && r !== null ? new Uint8Array(r) : r;
    };
  }
  var hal = {};
  for (var g in spec) {
    hal[g] = {};
    for (var m in spec[g]) hal[g][m] = method(g, m, spec[g][m]);
    for (var p in props[g] || {}) hal[g][p] = props[g][p];
  }
  return hal;
})`;
