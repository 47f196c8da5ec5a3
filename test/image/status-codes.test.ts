/**
 * shared/status/codes.ts answers isStatusCode from runs of consecutive codes, so that the
 * band image needs no status names (docs/FIRMWARE-IMAGE.md "Size"). The runs must say
 * exactly what the table says.
 */
import { describe, expect, it } from 'vitest';
import { isStatusCode, Status, statusName } from '../../shared/status/codes.ts';
import { describeStatus } from '../../shared/status/describe.ts';

describe('isStatusCode', () => {
  const defined = new Set<number>(Object.values(Status));

  it('is true exactly for the codes in the Status table', () => {
    for (let code = -2; code <= 0x1ff; code++)
      expect(isStatusCode(code), `0x${code.toString(16)}`).toBe(defined.has(code));
  });

  it('is false for anything but an integer number', () => {
    for (const v of [0.5, 1.5, 0x7f + 1e-9, NaN, Infinity, -Infinity, '1', null, undefined, {}, [1], true])
      expect(isStatusCode(v)).toBe(false);
  });

  it('agrees with statusName, which builds its table on first use', () => {
    for (let code = 0; code <= 0xff; code++) expect(statusName(code) !== undefined).toBe(isStatusCode(code));
    expect(statusName(Status.STORAGE_CORRUPT)).toBe('STORAGE_CORRUPT');
    expect(describeStatus(Status.MALFORMED)).toMatch(/^MALFORMED \(0x01\): /);
    expect(describeStatus(0x99)).toBe('UNKNOWN (0x99): not a wristpay status code.');
  });
});
