/**
 * Output to a reader that stopped reading (`wristpay demo --json | head -1`). The next
 * write to the closed pipe fails with EPIPE; Node ignores SIGPIPE, so without an 'error'
 * listener on process.stdout that becomes an uncaught exception and a stack trace, and
 * the command dies before it cleans up. git, npm and stripe end quietly instead, and so
 * does wristpay: the shell watches stdout and stderr once, and a command doing long work
 * checks `outputClosed` and stops, cleaning up as on any other end. The exit code is 0:
 * the reader took what it wanted (docs/BRIDGE.md, "Output and exit codes").
 */

const closed = new AbortController();

/** Aborted once stdout or stderr has been closed by its reader. */
export const outputClosed: AbortSignal = closed.signal;

/** Thrown by a command's writer to stop its work when nobody reads any more. */
export class OutputClosedError extends Error {
  constructor() {
    super('output closed by its reader');
  }
}

const watched = new WeakSet<NodeJS.WritableStream>();

export function watchOutput(streams: NodeJS.WritableStream[]): void {
  for (const stream of streams) {
    if (watched.has(stream)) continue;
    watched.add(stream);
    stream.on('error', (e: NodeJS.ErrnoException) => {
      // Only a closed pipe is the reader's choice; any other write error stays loud.
      if (e.code !== 'EPIPE') throw e;
      closed.abort();
    });
  }
}

/** A line writer for long-running output: throws OutputClosedError once the reader is gone, so the work stops. */
export function lineWriter(stream: NodeJS.WritableStream): (line: string) => void {
  return (line) => {
    if (outputClosed.aborted) throw new OutputClosedError();
    stream.write(line + '\n');
  };
}
