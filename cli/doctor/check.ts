/**
 * One line of `wristpay doctor`: what was checked, how it went, and what to do about it.
 * `fail` is something that stops wristpay working (exit 1); `warn` is worth knowing but
 * leaves the commands working (exit 0), the way `brew doctor` and `flutter doctor` grade.
 */
import { Status, statusName } from '../../shared/status/codes.ts';

export type CheckResult = 'ok' | 'warn' | 'fail';

export interface Check {
  /** Short, stable name: node, chromium, duk, state, flashed, image, checkout, terminal. */
  name: string;
  result: CheckResult;
  message: string;
  /** What to run or change; set on every warn and fail. */
  fix?: string;
  /** The status name behind a warn or fail (NOT_FOUND, UNREACHABLE, BAD_SIGNATURE, TERMINAL_UNPAIRED, …). */
  reason?: string;
}

export const ok = (name: string, message: string): Check => ({ name, result: 'ok', message });

export function warn(name: string, message: string, fix: string, status: number = Status.NOT_FOUND): Check {
  return { name, result: 'warn', message, fix, reason: statusName(status) ?? 'UNKNOWN' };
}

export function fail(name: string, message: string, fix: string, status: number): Check {
  return { name, result: 'fail', message, fix, reason: statusName(status) ?? 'UNKNOWN' };
}
