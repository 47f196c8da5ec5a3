/**
 * Exit codes scripts can trust: the one table, documented in docs/BRIDGE.md ("Output and
 * exit codes") and in `wristpay --help`. Only the shell maps results to these.
 *
 *   0 ok · 1 declined (a band, the checkout or a payer said no) · 2 usage (a bad option,
 *   argument or input, refused before any work) · 3 unreachable or I/O (no checkout, radio
 *   or simulator; a busy or unreadable state directory; a corrupt state or config file)
 */
export const ExitCode = {
  OK: 0,
  DECLINED: 1,
  USAGE: 2,
  UNREACHABLE: 3,
} as const;

/** The table as `wristpay --help` shows it. */
export const EXIT_CODES_HELP = [
  'Exit codes: 0 ok, 1 declined, 2 usage (bad option or input), 3 unreachable or I/O (no checkout,',
  'radio or simulator; a busy, unreadable or corrupt state or config file).',
  'With --json every outcome is one JSON object on stdout; errors are',
  '  {"ok":false,"error":{"status":<n>,"name":"<STATUS>","message":"…","hint":"…"}}',
].join('\n');
