/** Exit codes scripts can trust (issue: bridge CLI). Only the shell maps results to these. */
export const ExitCode = {
  OK: 0,
  DECLINED: 1,
  USAGE: 2,
  UNREACHABLE: 3,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
