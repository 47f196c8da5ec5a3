/*
 * A pure-ES5 HAL for running band images under Duktape (`duk`), which has no host
 * bindings, and the other engines `npm run engines` drives (scripts/engines.ts). Stand-ins, not crypto: Duktape has no P-256, so the "secure element" signs
 * with HMAC-SHA-256 and verifies only keys it has seen (its own slots and keys made with
 * halctl.standInKey); the "AEAD" is an HMAC keystream with a 16-byte HMAC tag. They keep
 * the HAL's shapes, lengths and failure behaviour (null on a bad tag, bad key, empty slot)
 * so the firmware's control flow runs the same as on the real band.
 *
 * Defines two globals: `hal` (what the image sees) and `halctl` (the scenario's remote
 * control: virtual time, radio, sensors, and what the band showed/sent/logged).
 * Written in ES5 on purpose: no let/const, arrows, Math.imul or TypedArray.slice, and it
 * throws only Error and TypeError (Espruino has no RangeError).
 */
var halctl = (function () {
  'use strict';

  // ---- SHA-256 (FIPS 180-4) and HMAC (RFC 2104), additions and bit operations only ----
  var K = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
    0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
    0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
    0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2,
  ];

  function jsSha256(data) {
    var h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    var len = data.length,
      total = ((len + 9 + 63) >> 6) << 6;
    var m = new Uint8Array(total),
      w = new Array(64),
      i,
      j,
      t1,
      t2;
    m.set(data);
    m[len] = 0x80;
    var bits = len * 8; // fits in 53 bits; the high word is bits / 2^32
    m[total - 5] = Math.floor(bits / 0x100000000) & 0xff;
    m[total - 4] = (bits >>> 24) & 0xff;
    m[total - 3] = (bits >>> 16) & 0xff;
    m[total - 2] = (bits >>> 8) & 0xff;
    m[total - 1] = bits & 0xff;
    for (var off = 0; off < total; off += 64) {
      for (i = 0; i < 16; i++)
        w[i] = (m[off + 4 * i] << 24) | (m[off + 4 * i + 1] << 16) | (m[off + 4 * i + 2] << 8) | m[off + 4 * i + 3];
      for (i = 16; i < 64; i++) {
        var x = w[i - 15],
          y = w[i - 2];
        var s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
        var s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
      }
      var a = h[0],
        b = h[1],
        c = h[2],
        d = h[3],
        e = h[4],
        f = h[5],
        g = h[6],
        k = h[7];
      for (j = 0; j < 64; j++) {
        var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        t1 = (k + S1 + ((e & f) ^ (~e & g)) + K[j] + w[j]) | 0;
        var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        k = g;
        g = f;
        f = e;
        e = (d + t1) | 0;
        d = c;
        c = b;
        b = a;
        a = (t1 + t2) | 0;
      }
      h[0] = (h[0] + a) | 0;
      h[1] = (h[1] + b) | 0;
      h[2] = (h[2] + c) | 0;
      h[3] = (h[3] + d) | 0;
      h[4] = (h[4] + e) | 0;
      h[5] = (h[5] + f) | 0;
      h[6] = (h[6] + g) | 0;
      h[7] = (h[7] + k) | 0;
    }
    var out = new Uint8Array(32);
    for (i = 0; i < 8; i++) {
      out[4 * i] = h[i] >>> 24;
      out[4 * i + 1] = (h[i] >>> 16) & 0xff;
      out[4 * i + 2] = (h[i] >>> 8) & 0xff;
      out[4 * i + 3] = h[i] & 0xff;
    }
    return out;
  }

  function concat(parts) {
    var n = 0,
      i,
      at = 0;
    for (i = 0; i < parts.length; i++) n += parts[i].length;
    var out = new Uint8Array(n);
    for (i = 0; i < parts.length; i++) {
      out.set(parts[i], at);
      at += parts[i].length;
    }
    return out;
  }

  function jsHmac(key, data) {
    if (key.length > 64) key = sha256(key);
    var ipad = new Uint8Array(64),
      opad = new Uint8Array(64);
    for (var i = 0; i < 64; i++) {
      var kb = i < key.length ? key[i] : 0;
      ipad[i] = kb ^ 0x36;
      opad[i] = kb ^ 0x5c;
    }
    return sha256(concat([opad, sha256(concat([ipad, data]))]));
  }

  // A host may give the HAL native hashing, as a secure element or the engine's crypto module
  // would: globals `hostSha256(bytes)` and optionally `hostHmacSha256(key, bytes)`, each
  // returning a Uint8Array (harness/engines/engine-hosts.ts). Every stand-in below hashes
  // through these, so a run then measures the band rather than this file's SHA-256.
  var sha256 = typeof hostSha256 === 'function' ? hostSha256 : jsSha256;
  var hmac = typeof hostHmacSha256 === 'function' ? hostHmacSha256 : jsHmac;

  function ascii(s) {
    var out = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
    return out;
  }
  function hex(b) {
    var s = '';
    for (var i = 0; i < b.length; i++) s += (b[i] < 16 ? '0' : '') + b[i].toString(16);
    return s;
  }
  function fromHex(s) {
    var out = new Uint8Array(s.length >> 1);
    for (var i = 0; i < out.length; i++) out[i] = parseInt(s.substr(2 * i, 2), 16);
    return out;
  }
  function copy(b) {
    var c = new Uint8Array(b.length);
    c.set(b);
    return c;
  }
  function equal(a, b) {
    if (a.length !== b.length) return false;
    var d = 0;
    for (var i = 0; i < a.length; i++) d |= a[i] ^ b[i];
    return d === 0;
  }
  function u32(n) {
    return new Uint8Array([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
  }
  function bytesArg(b, what) {
    if (!(b instanceof Uint8Array)) throw new TypeError(what + ': expected a Uint8Array');
    return b;
  }

  // ---- deterministic random: SHA-256(seed || counter) ----
  var seed = ascii('wristpay-duk'),
    counter = 0;
  function randomBytes(n) {
    var out = new Uint8Array(n),
      at = 0;
    while (at < n) {
      var block = sha256(concat([seed, u32(counter++)]));
      var take = Math.min(32, n - at);
      out.set(block.subarray(0, take), at);
      at += take;
    }
    return out;
  }

  // ---- virtual clock and one-shot timers ----
  var now = 0,
    wallBase = 1735689600000,
    timers = [],
    nextTimer = 1;
  function advance(ms) {
    var until = now + ms;
    for (;;) {
      var due = null,
        i;
      for (i = 0; i < timers.length; i++)
        if (timers[i].at <= until && (due === null || timers[i].at < due.at)) due = timers[i];
      if (due === null) break;
      timers.splice(timers.indexOf(due), 1);
      if (due.at > now) now = due.at;
      due.fn();
    }
    now = until;
  }

  // ---- stand-in secure element ----
  var SLOTS = 7,
    slots = [],
    known = {};
  function standInPublic(priv) {
    return concat([new Uint8Array([4]), sha256(concat([ascii('x'), priv])), sha256(concat([ascii('y'), priv]))]);
  }
  function standInSign(priv, msg) {
    return concat([hmac(priv, concat([ascii('r'), msg])), hmac(priv, concat([ascii('s'), msg]))]);
  }
  function remember(priv) {
    var pub = standInPublic(priv);
    known[hex(pub)] = priv;
    return pub;
  }
  function isValidPublic(pub) {
    return pub instanceof Uint8Array && pub.length === 65 && pub[0] === 4;
  }
  function slot(i) {
    if (i !== (i | 0) || i < 0 || i >= SLOTS) throw new Error('no such slot: ' + i);
    return slots[i] || null;
  }

  // ---- flash with NOR rules: erase sets 0xff, program may only clear bits ----
  // An erased page is null until programmed: flash takes no RAM on the band, and 64 KB of
  // Uint8Arrays would be ~2,400 of Espruino's variable slots, counted as the band's.
  var PAGE_SIZE = 4096,
    PAGE_COUNT = 16,
    pages = [],
    cutAfter = -1;
  for (var p = 0; p < PAGE_COUNT; p++) pages.push(null);
  // One erased page to copy from: a copy is native, a loop of 4096 stores is slow in Espruino.
  var ERASED = new Uint8Array(PAGE_SIZE);
  for (var q = 0; q < PAGE_SIZE; q++) ERASED[q] = 0xff;
  function erased(n) {
    return copy(ERASED.subarray(0, n));
  }
  function checkPage(page, offset, length) {
    if (page !== (page | 0) || page < 0 || page >= PAGE_COUNT) throw new Error('flash: no page ' + page);
    if (offset < 0 || length < 0 || offset + length > PAGE_SIZE) throw new Error('flash: out of page bounds');
  }
  function powerCut(n) {
    // counts down bytes; throws when power "fails" mid-operation
    if (cutAfter < 0) return false;
    if (cutAfter < n) {
      cutAfter = -1;
      return true;
    }
    cutAfter -= n;
    return false;
  }

  // ---- listeners and records ----
  var on = {},
    ctl = {
      notified: [],
      shown: [],
      logs: [],
      buzzes: [],
      info: null,
      irk: null,
      addresses: 0,
      mtu: 23,
      skin: false,
      charging: false,
    };

  var hal = {
    clock: {
      monotonicMs: function () {
        return now;
      },
      wallMs: function () {
        return wallBase + now;
      },
      setTimer: function (ms, fn) {
        var id = nextTimer++;
        timers.push({ id: id, at: now + Math.max(0, ms), fn: fn });
        return id;
      },
      cancelTimer: function (id) {
        for (var i = 0; i < timers.length; i++)
          if (timers[i].id === id) {
            timers.splice(i, 1);
            return;
          }
      },
    },
    random: { bytes: randomBytes },
    se: {
      slotCount: SLOTS,
      hasKey: function (i) {
        return slot(i) !== null;
      },
      generate: function (i) {
        slot(i);
        slots[i] = randomBytes(32);
        remember(slots[i]);
      },
      erase: function (i) {
        slot(i);
        slots[i] = null;
      },
      publicKey: function (i) {
        var k = slot(i);
        return k ? standInPublic(k) : null;
      },
      sign: function (i, msg) {
        var k = slot(i);
        return k ? standInSign(k, bytesArg(msg, 'se.sign')) : null;
      },
      ecdh: function (i, peer) {
        var k = slot(i);
        if (!k || !isValidPublic(peer)) return null;
        var mine = standInPublic(k),
          a = hex(mine),
          b = hex(peer); // symmetric: order the two keys
        return sha256(a < b ? concat([mine, peer]) : concat([peer, mine]));
      },
      verify: function (pub, msg, sig) {
        var priv = isValidPublic(pub) ? known[hex(pub)] : undefined;
        return !!priv && sig instanceof Uint8Array && equal(standInSign(priv, msg), sig);
      },
      isValidPublic: isValidPublic,
    },
    hash: {
      sha256: function (d) {
        return sha256(bytesArg(d, 'sha256'));
      },
      hmacSha256: function (k, d) {
        return hmac(bytesArg(k, 'hmac'), bytesArg(d, 'hmac'));
      },
    },
    aead: {
      seal: function (key, nonce, aad, pt) {
        if (key.length !== 32 || nonce.length !== 12) throw new Error('aead: key 32, nonce 12 bytes');
        var ct = xorStream(key, nonce, pt);
        return concat([ct, aeadTag(key, nonce, aad, ct)]);
      },
      open: function (key, nonce, aad, sealed) {
        if (key.length !== 32 || nonce.length !== 12 || sealed.length < 16) return null;
        var ct = sealed.subarray(0, sealed.length - 16);
        if (!equal(aeadTag(key, nonce, aad, ct), sealed.subarray(sealed.length - 16))) return null;
        return xorStream(key, nonce, ct);
      },
    },
    flash: {
      pageSize: PAGE_SIZE,
      pageCount: PAGE_COUNT,
      read: function (page, offset, length) {
        checkPage(page, offset, length);
        return pages[page] ? copy(pages[page].subarray(offset, offset + length)) : erased(length);
      },
      erase: function (page) {
        checkPage(page, 0, 0);
        var cut = powerCut(PAGE_SIZE),
          pg = pages[page];
        if (!cut) pages[page] = null;
        else if (pg) for (var i = 0; i < PAGE_SIZE >> 1; i++) pg[i] = 0xff;
        if (cut) throw new Error('flash: power cut during erase');
      },
      program: function (page, offset, data) {
        checkPage(page, offset, bytesArg(data, 'flash.program').length);
        if (!pages[page]) pages[page] = erased(PAGE_SIZE);
        var pg = pages[page],
          i;
        for (i = 0; i < data.length; i++)
          if ((pg[offset + i] & data[i]) !== data[i]) throw new Error('flash: NOR rule violated at ' + (offset + i));
        var n = data.length,
          cut = false;
        if (cutAfter >= 0 && cutAfter < n) {
          n = cutAfter;
          cut = true;
          cutAfter = -1;
        } else if (cutAfter >= 0) cutAfter -= n;
        for (i = 0; i < n; i++) pg[offset + i] &= data[i];
        if (cut) throw new Error('flash: power cut during program');
      },
    },
    wear: {
      onSample: function (fn) {
        on.sample = fn;
      },
      current: function () {
        return ctl.skin;
      },
    },
    charger: {
      onChange: function (fn) {
        on.charge = fn;
      },
      isCharging: function () {
        return ctl.charging;
      },
      batteryPercent: function () {
        return -1;
      },
    },
    button: {
      onPress: function (fn) {
        on.press = fn;
      },
    },
    haptics: {
      buzz: function (ms) {
        ctl.buzzes.push(ms);
      },
    },
    display: {
      lines: 3,
      columns: 20,
      show: function (lines) {
        ctl.shown.push(lines.slice(0));
      },
    },
    radio: {
      onConnect: function (fn) {
        on.connect = fn;
      },
      onDisconnect: function (fn) {
        on.disconnect = fn;
      },
      onWrite: function (fn) {
        on.write = fn;
      },
      notify: function (d) {
        ctl.notified.push(copy(bytesArg(d, 'radio.notify')));
      },
      setInfo: function (d) {
        ctl.info = copy(bytesArg(d, 'radio.setInfo'));
      },
      mtu: function () {
        return ctl.mtu;
      },
      setIdentityKey: function (k) {
        ctl.irk = copy(bytesArg(k, 'radio.setIdentityKey'));
        ctl.addresses++;
      },
      newAddress: function () {
        ctl.addresses++;
      },
    },
    log: {
      log: function (m) {
        ctl.logs.push(String(m));
      },
    },
  };

  function xorStream(key, nonce, data) {
    var out = new Uint8Array(data.length);
    for (var at = 0, block = 0; at < data.length; block++) {
      var ks = hmac(key, concat([nonce, u32(block)]));
      for (var i = 0; i < 32 && at < data.length; i++, at++) out[at] = data[at] ^ ks[i];
    }
    return out;
  }
  function aeadTag(key, nonce, aad, ct) {
    return hmac(key, concat([ascii('tag'), nonce, u32(aad.length), aad, ct])).subarray(0, 16);
  }
  function fire(name, arg) {
    if (on[name]) on[name](arg);
  }

  // ---- the scenario's remote control ----
  ctl.hal = hal;
  ctl.advance = advance;
  ctl.now = function () {
    return now;
  };
  ctl.write = function (bytes) {
    fire('write', copy(bytes));
  };
  ctl.connect = function (mtu) {
    ctl.mtu = mtu;
    fire('connect', mtu);
  };
  ctl.disconnect = function () {
    ctl.mtu = 23;
    fire('disconnect');
  };
  ctl.wear = function (onSkin) {
    ctl.skin = !!onSkin;
    fire('sample', ctl.skin);
  };
  ctl.charge = function (charging) {
    ctl.charging = !!charging;
    fire('charge', ctl.charging);
  };
  ctl.press = function () {
    fire('press');
  };
  ctl.display = function () {
    return ctl.shown.length ? ctl.shown[ctl.shown.length - 1] : [];
  };
  /** Next flash program/erase stops after `n` bytes and throws, like a power cut. */
  ctl.powerCutAfterBytes = function (n) {
    cutAfter = n;
  };
  /** A stand-in key pair outside the band (e.g. the checkout's), verifiable by hal.se.verify. */
  ctl.standInKey = function (label) {
    var priv = sha256(ascii('standin:' + label));
    return {
      publicKey: remember(priv),
      sign: function (msg) {
        return standInSign(priv, msg);
      },
    };
  };
  ctl.seed = function (s) {
    seed = ascii(String(s));
    counter = 0;
  };
  ctl.sha256 = sha256;
  ctl.hostCrypto = sha256 !== jsSha256;
  ctl.hmacSha256 = hmac;
  ctl.hex = hex;
  ctl.bytes = fromHex;
  ctl.ascii = ascii;
  ctl.assert = function (cond, message) {
    if (!cond) throw new Error('scenario assertion failed: ' + message);
  };
  return ctl;
})();
var hal = halctl.hal;
