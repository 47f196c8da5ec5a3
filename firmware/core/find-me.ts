/**
 * The owner asked to find the band (a FIND challenge at its next contact): it buzzes and
 * flashes its display for a few seconds, then leaves "Find me" on it, so whoever holds it
 * sees it is looked for. The haptics motor is the band's only sound.
 */
import type { Hal } from '../hal.ts';
import { FIND_LINES } from './display-text.ts';

/** Display on/off changes, half a second each: five flashes, ending on. */
const FLASHES = 10;
const FLASH_MS = 500;

export function ringToBeFound(hal: Hal, display: { show(lines: string[]): void }): void {
  let left = FLASHES;
  const step = (): void => {
    const on = left % 2 === 0;
    display.show(on ? FIND_LINES : []);
    if (on) hal.haptics.buzz(300);
    if (left-- > 0) hal.clock.setTimer(FLASH_MS, step);
  };
  step();
}
