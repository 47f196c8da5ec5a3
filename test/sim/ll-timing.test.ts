/**
 * One connection event by the Core spec's numbers (sim/band/ll-timing.ts), each figure worked
 * out by hand: packet = preamble (1 octet on LE 1M, 2 on LE 2M) + access address 4 + header 2
 * + payload + CRC 3, at 8 µs an octet on LE 1M and 4 µs on LE 2M (Core Vol 6 Part B §2.1,
 * §2.4); T_IFS 150 µs between packets (§4.1.1); More Data keeps the event open (§4.5.6); an
 * exchange starts only if it ends, with the peer's longest answer, T_IFS before the budget.
 */
import { describe, expect, it } from 'vitest';
import { packetAirUs, planEvent } from '../../sim/band/ll-timing.ts';

const never = () => false;

describe('packetAirUs', () => {
  it('times packets as the PHYs send them', () => {
    expect(packetAirUs(0, 1)).toBe(80); // empty PDU, LE 1M: 10 octets × 8 µs
    expect(packetAirUs(27, 1)).toBe(296); // 37 × 8
    expect(packetAirUs(251, 1)).toBe(2088); // 261 × 8
    expect(packetAirUs(0, 2)).toBe(44); // empty PDU, LE 2M: 11 octets × 4 µs
    expect(packetAirUs(251, 2)).toBe(1048); // 262 × 4
  });
});

describe('planEvent', () => {
  it('LE 1M, 27-octet PDUs: a 189-octet frame goes as 7 PDUs in one 7.5 ms event', () => {
    // Exchange: 296 + 150 + 80 (empty answer) + 150 = 676 µs; the k-th starts at 676·k.
    const p = planEvent({ up: [189], down: [] }, { phy: 1, maxOctets: 27, budgetUs: 7500 }, never);
    expect(p.exchanges).toBe(7);
    expect(p.pdus.map((x) => x.octets)).toEqual([27, 27, 27, 27, 27, 27, 27]);
    expect(p.pdus[6].endUs).toBe(676 * 6 + 296); // 4352
    expect(p.endUs).toBe(4352 + 150 + 80); // the peripheral's last empty PDU
  });

  it('the event ends at its length: 10 of 12 PDUs fit in 7.5 ms', () => {
    // The k-th exchange fits if 676·k + 296 + 150 + 296 (the longest answer) + 150 ≤ 7500: k ≤ 9.
    const p = planEvent({ up: [27 * 12], down: [] }, { phy: 1, maxOctets: 27, budgetUs: 7500 }, never);
    expect(p.exchanges).toBe(10);
    expect(p.pdus).toHaveLength(10);
  });

  it('both ways while either More Data bit is set, the frames split at the data length (LE 2M, 251)', () => {
    const p = planEvent({ up: [200], down: [300, 5] }, { phy: 2, maxOctets: 251, budgetUs: 15000 }, never);
    expect(p.exchanges).toBe(3);
    expect(p.pdus.map((x) => [x.dir, x.octets, x.endUs])).toEqual([
      ['up', 200, 844], // 44 + 4·200
      ['down', 251, 2042], // 844 + 150 + 1048
      ['down', 49, 2626], // 2042 + 150 + 44 (empty central) + 150 + 240
      ['down', 5, 3034], // 2626 + 150 + 44 + 150 + 64
    ]);
    expect(p.endUs).toBe(3034);
  });

  it('the controller maximum CE length: LE 1M fits one 251-octet PDU in 5 ms, LE 2M two', () => {
    // 1M: second exchange at 2088 + 150 + 80 + 150 = 2468 would end at 2468 + 2088 + 150 + 2088 + 150 = 6944 > 5000.
    const oneM = planEvent({ up: [502], down: [] }, { phy: 1, maxOctets: 251, budgetUs: 5000 }, never);
    expect(oneM.pdus.map((x) => x.octets)).toEqual([251]);
    // 2M: 1048 + 150 + 44 + 150 = 1392; 1392 + 1048 + 150 + 1048 + 150 = 3788 ≤ 5000.
    const twoM = planEvent({ up: [502], down: [] }, { phy: 2, maxOctets: 251, budgetUs: 5000 }, never);
    expect(twoM.pdus.map((x) => x.octets)).toEqual([251, 251]);
    expect(twoM.pdus[1].endUs).toBe(1392 + 1048);
  });

  it('a lost packet ends the event; nothing queued is consumed by it', () => {
    const p = planEvent({ up: [10, 10], down: [10] }, { phy: 2, maxOctets: 251, budgetUs: 15000 }, () => true);
    expect(p.exchanges).toBe(1);
    expect(p.pdus).toEqual([{ dir: 'up', octets: 10, endUs: 84, lost: true }]);
  });
});
