import { describe, expect, it } from 'vitest';
import { p256 } from '@noble/curves/nist.js';
import { createTestEnv, softAead, softHash } from '../../firmware/testenv/test-env.ts';
import { VirtualClock } from '../../firmware/testenv/virtual-clock.ts';
import { SeededRandom } from '../../firmware/testenv/seeded-random.ts';
import { FlashEmulator, FlashRuleError, PowerCutError } from '../../firmware/testenv/flash-emulator.ts';
import { SoftSecureElement } from '../../firmware/testenv/secure-element.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (h: string) => new Uint8Array(Buffer.from(h.replace(/\s/g, ''), 'hex'));

describe('VirtualClock', () => {
  it('fires due timers in order, including ones set by a firing timer within the window', () => {
    const c = new VirtualClock(1_000);
    const log: string[] = [];
    c.setTimer(30, () => log.push(`b@${c.monotonicMs()}`));
    c.setTimer(10, () => {
      log.push(`a@${c.monotonicMs()}`);
      c.setTimer(5, () => log.push(`a2@${c.monotonicMs()}`)); // due 15, inside the window
      c.setTimer(100, () => log.push('late'));
    });
    c.setTimer(30, () => log.push(`c@${c.monotonicMs()}`)); // same instant as b: set later, fires later
    const dead = c.setTimer(20, () => log.push('cancelled'));
    c.cancelTimer(dead);
    c.advance(50);
    expect(log).toEqual(['a@10', 'a2@15', 'b@30', 'c@30']);
    expect(c.monotonicMs()).toBe(50);
    expect(c.wallMs()).toBe(1_050);
    expect(c.pendingTimers()).toBe(1);
    expect(c.nextDue()).toBe(110);
    expect(c.runNext()).toBe(true);
    expect(log).toContain('late');
  });

  it('setWall moves only the wall clock; zero and negative delays fire on advance(0)', () => {
    const c = new VirtualClock();
    c.advance(5);
    c.setWall(1_700_000_000_000);
    c.advance(5);
    expect(c.wallMs()).toBe(1_700_000_000_005);
    expect(c.monotonicMs()).toBe(10);
    let n = 0;
    c.setTimer(0, () => n++);
    c.setTimer(-3, () => n++);
    c.advance(0);
    expect(n).toBe(2);
    expect(() => c.advance(-1)).toThrow(RangeError);
  });
});

describe('SeededRandom', () => {
  it('is deterministic per seed and stream, and streams are independent', () => {
    expect(hex(new SeededRandom(42).bytes(40))).toBe(hex(new SeededRandom(42).bytes(40)));
    expect(hex(new SeededRandom(42).bytes(16))).not.toBe(hex(new SeededRandom(43).bytes(16)));
    expect(hex(new SeededRandom(42, 'a').bytes(16))).not.toBe(hex(new SeededRandom(42, 'b').bytes(16)));
    // Chunking does not change the stream.
    const r = new SeededRandom(7);
    const chunks = [r.bytes(3), r.bytes(70), r.bytes(1)];
    expect(hex(Buffer.concat(chunks))).toBe(hex(new SeededRandom(7).bytes(74)));
    const ints = Array.from({ length: 200 }, () => r.int(6));
    expect(Math.min(...ints)).toBe(0);
    expect(Math.max(...ints)).toBe(5);
  });
});

describe('FlashEmulator', () => {
  it('enforces NOR rules and page bounds', () => {
    const f = new FlashEmulator({ pageSize: 64, pageCount: 2 });
    f.program(0, 0, unhex('f0 0f'));
    f.program(0, 0, unhex('30 0f')); // clearing more bits is fine
    expect(() => f.program(0, 0, unhex('31'))).toThrow(FlashRuleError);
    expect(() => f.program(0, 60, new Uint8Array(5))).toThrow(FlashRuleError);
    expect(() => f.program(2, 0, new Uint8Array(1))).toThrow(FlashRuleError);
    expect(() => f.read(0, 63, 2)).toThrow(FlashRuleError);
    expect(hex(f.read(0, 0, 3))).toBe('300fff');
    f.erase(0);
    expect(f.isErased(0)).toBe(true);
    expect(f.stats()).toMatchObject({ programs: 2, erases: 1 });
    expect(f.eraseCount(0)).toBe(1);
  });

  it('a cut program writes a prefix, may half-program the byte at the cut, never sets bits', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const f = new FlashEmulator({ pageSize: 64, pageCount: 1, seed });
      f.program(0, 0, unhex('aa'.repeat(16)));
      const before = f.read(0, 0, 32);
      const data = new Uint8Array(32).map((_, i) => (i * 37) & before[i]);
      f.cutPowerAfter(1, 'partial');
      expect(() => f.program(0, 0, data)).toThrow(PowerCutError);
      const after = f.read(0, 0, 32); // reads still work
      let i = 0;
      while (i < 32 && after[i] === data[i]) i++;
      for (let k = 0; k < 32; k++) expect(after[k] & ~before[k] & 0xff).toBe(0); // only cleared bits
      if (i < 32) expect(after[i] & data[i]).toBe(data[i]); // the cut byte: a subset of its clears
      for (let k = i + 1; k < 32; k++) expect(after[k]).toBe(before[k]);
      expect(f.isPowered).toBe(false);
      expect(() => f.erase(0)).toThrow(PowerCutError);
      f.restorePower();
      f.erase(0);
    }
  });

  it('cut styles and countdown: the n-th operation is cut, the ones before complete', () => {
    const f = new FlashEmulator({ pageSize: 16, pageCount: 2 });
    f.cutPowerAfter(3, 'none');
    f.program(0, 0, unhex('00'));
    f.program(0, 1, unhex('00'));
    expect(() => f.program(0, 2, unhex('00'))).toThrow(PowerCutError);
    f.restorePower();
    expect(hex(f.read(0, 0, 3))).toBe('0000ff');
    f.cutPowerAfter(1, 'complete');
    expect(() => f.erase(0)).toThrow(PowerCutError);
    f.restorePower();
    expect(f.isErased(0)).toBe(true);
    f.program(1, 0, new Uint8Array(16));
    const seen = new Set<string>();
    for (let s = 0; s < 60; s++) {
      const g = FlashEmulator.fromBytes(f.toBytes(), 16, { seed: s });
      g.cutPowerAfter(1, 'partial');
      expect(() => g.erase(1)).toThrow(PowerCutError);
      const page = g.read(1, 0, 16);
      seen.add(page.every((b) => b === 0xff) ? 'erased' : page.every((b) => b === 0) ? 'untouched' : 'mixed');
    }
    expect(seen.has('mixed')).toBe(true);
  });

  it('snapshot/restore and toBytes/fromBytes round-trip', () => {
    const f = new FlashEmulator({ pageSize: 32, pageCount: 3 });
    f.program(2, 4, unhex('01020304'));
    const snap = f.snapshot();
    f.erase(2);
    f.restore(snap);
    expect(hex(f.read(2, 4, 4))).toBe('01020304');
    const g = FlashEmulator.fromBytes(f.toBytes(), 32);
    expect(g.pageCount).toBe(3);
    expect(hex(g.read(2, 4, 4))).toBe('01020304');
    expect(() => FlashEmulator.fromBytes(new Uint8Array(33), 32)).toThrow(RangeError);
  });
});

describe('SoftSecureElement', () => {
  it('signs (low-S, verifiable by @noble), does ECDH, refuses bad keys, exports and imports', () => {
    const se = new SoftSecureElement(new SeededRandom(1, 'se'));
    expect(se.publicKey(0)).toBeNull();
    expect(se.sign(0, new Uint8Array(1))).toBeNull();
    se.generate(0);
    se.generate(1);
    const pub0 = se.publicKey(0)!;
    expect(pub0.length).toBe(65);
    const msg = new TextEncoder().encode('pay 12.34 CNY');
    const sig = se.sign(0, msg)!;
    expect(sig.length).toBe(64);
    expect(p256.verify(sig, msg, pub0, { lowS: true })).toBe(true);
    expect(se.verify(pub0, msg, sig)).toBe(true);
    expect(se.verify(pub0, new Uint8Array(1), sig)).toBe(false);
    expect(se.verify(pub0, msg, sig.subarray(1))).toBe(false);
    // High-S twin of a valid signature is refused.
    const s = p256.Signature.fromBytes(sig);
    const high = new p256.Signature(s.r, p256.Point.CURVE().n - s.s).toBytes();
    expect(se.verify(pub0, msg, high)).toBe(false);
    const x01 = se.ecdh(0, se.publicKey(1)!)!;
    expect(hex(x01)).toBe(hex(se.ecdh(1, pub0)!));
    expect(x01.length).toBe(32);
    const offCurve = pub0.slice();
    offCurve[64] ^= 1;
    expect(se.isValidPublic(offCurve)).toBe(false);
    expect(se.ecdh(0, offCurve)).toBeNull();
    expect(se.verify(offCurve, msg, sig)).toBe(false);
    const copy = new SoftSecureElement(new SeededRandom(2));
    copy.importState(se.exportState());
    expect(hex(copy.publicKey(0)!)).toBe(hex(pub0));
    se.erase(0);
    expect(se.hasKey(0)).toBe(false);
    expect(() => se.generate(9)).toThrow(RangeError);
    expect(() => copy.importState({ version: 1, slots: ['zz', null, null, null] })).toThrow();
  });

  it('key generation is reproducible from the seed', () => {
    const a = new SoftSecureElement(new SeededRandom(5, 'se'));
    const b = new SoftSecureElement(new SeededRandom(5, 'se'));
    a.generate(2);
    b.generate(2);
    expect(hex(a.publicKey(2)!)).toBe(hex(b.publicKey(2)!));
  });
});

describe('createTestEnv', () => {
  it('wires every HAL part and lets the test drive the peripherals', () => {
    const env = createTestEnv({ seed: 9, pageSize: 256, pageCount: 4 });
    const { hal } = env;
    expect(hal.flash.pageSize).toBe(256);
    expect(hal.clock).toBe(env.clock);
    const events: string[] = [];
    hal.wear.onSample((on) => events.push(`wear:${on}`));
    hal.charger.onChange((c) => events.push(`charger:${c}`));
    hal.button.onPress(() => events.push('button'));
    hal.radio.onConnect((mtu) => events.push(`connect:${mtu}`));
    hal.radio.onWrite((d) => hal.radio.notify(d)); // echo
    hal.radio.onDisconnect(() => events.push('disconnect'));
    env.wear.sample(true);
    env.charger.plug();
    env.charger.plug(); // no edge, no event
    env.button.press();
    env.radio.connect(185);
    env.radio.write(new Uint8Array([1, 2, 3]));
    expect(() => hal.radio.notify(new Uint8Array(183))).toThrow(RangeError);
    env.radio.disconnect();
    hal.radio.notify(new Uint8Array(3));
    expect(events).toEqual(['wear:true', 'charger:true', 'button', 'connect:185', 'disconnect']);
    expect(env.radio.takeNotifications().map(hex)).toEqual(['010203']);
    expect(env.radio.dropped).toBe(1);
    expect(hal.radio.mtu()).toBe(23);
    hal.radio.setInfo(new Uint8Array([1]));
    expect(hex(env.radio.readInfo())).toBe('01');
    env.clock.advance(7);
    hal.haptics.buzz(200);
    expect(env.haptics.buzzes).toEqual([{ atMs: 7, ms: 200 }]);
    hal.display.show(['PAY 12.34 CNY', 'press the button to confirm', '3', '4', '5']);
    expect(env.display.current).toEqual(['PAY 12.34 CNY', 'press the button', '3', '4']);
    expect(env.display.overflows).toBe(1);
    hal.log.log('hello');
    expect(env.logs.lines).toEqual(['hello']);
    expect(hex(createTestEnv({ seed: 9 }).hal.random.bytes(8))).toBe(
      hex(createTestEnv({ seed: 9 }).hal.random.bytes(8)),
    );
  });

  it('hash and AEAD match RFC vectors; open never throws', () => {
    expect(hex(softHash.sha256(new TextEncoder().encode('abc')))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    // RFC 4231 test case 2.
    expect(
      hex(
        softHash.hmacSha256(new TextEncoder().encode('Jefe'), new TextEncoder().encode('what do ya want for nothing?')),
      ),
    ).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
    // RFC 8439 §2.8.2.
    const key = unhex('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f');
    const nonce = unhex('070000004041424344454647');
    const aad = unhex('50515253c0c1c2c3c4c5c6c7');
    const pt = new TextEncoder().encode(
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
    );
    const ct = softAead.seal(key, nonce, aad, pt);
    expect(hex(ct.subarray(ct.length - 16))).toBe('1ae10b594f09e26a7e902ecbd0600691');
    expect(hex(ct.subarray(0, 8))).toBe('d31a8d34648e60db');
    expect(hex(softAead.open(key, nonce, aad, ct)!)).toBe(hex(pt));
    const bad = ct.slice();
    bad[0] ^= 1;
    expect(softAead.open(key, nonce, aad, bad)).toBeNull();
    expect(softAead.open(key, nonce, aad, new Uint8Array(3))).toBeNull();
    expect(softAead.open(new Uint8Array(5), nonce, aad, ct)).toBeNull();
  });

  it('a reboot keeps the flash: a new env over the same FlashEmulator', () => {
    const a = createTestEnv({ seed: 3, pageSize: 64, pageCount: 2 });
    a.hal.flash.program(1, 0, new Uint8Array([0x12]));
    const b = createTestEnv({ seed: 3, flash: a.flash });
    expect(b.hal.flash.read(1, 0, 1)[0]).toBe(0x12);
  });
});
