/**
 * Reading a password: from the terminal without echo (raw mode, nothing is printed for
 * the characters typed), or the first line of stdin with --password-stdin (for scripts).
 * A secret read here is handed to the checkout and never printed or logged.
 */
export interface SecretStdin extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?: (raw: boolean) => unknown;
}

export interface PromptStream {
  write(text: string): unknown;
}

/** Prompts on `out` and reads one line from the terminal without echo; null on Ctrl-C / Ctrl-D. */
export function readSecret(stdin: SecretStdin, out: PromptStream, prompt: string): Promise<string | null> {
  return new Promise((resolve) => {
    out.write(prompt);
    let value = '';
    const raw = typeof stdin.setRawMode === 'function';
    if (raw) stdin.setRawMode?.(true);
    stdin.setEncoding('utf8');
    const done = (v: string | null): void => {
      stdin.removeListener('data', onData);
      if (raw) stdin.setRawMode?.(false);
      stdin.pause();
      out.write('\n');
      resolve(v);
    };
    const onData = (chunk: string | Buffer): void => {
      for (const ch of String(chunk)) {
        if (ch === '\r' || ch === '\n') return done(value);
        if (ch === '\u0003') return done(null); // Ctrl-C
        if (ch === '\u0004') {
          if (value === '') return done(null); // Ctrl-D on an empty line
          continue;
        }
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch >= ' ') value += ch;
      }
    };
    stdin.on('data', onData);
    stdin.resume();
  });
}

/** The first line of stdin (up to the first newline or EOF), without its line ending. */
export function readStdinLine(stdin: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const finish = (): void => {
      stdin.removeListener('data', onData);
      stdin.removeListener('end', finish);
      stdin.removeListener('error', onError);
      stdin.pause();
      resolve(text.split(/\r?\n/)[0]);
    };
    const onData = (chunk: string | Buffer): void => {
      text += String(chunk);
      if (text.includes('\n')) finish();
    };
    const onError = (e: Error): void => {
      stdin.removeListener('data', onData);
      reject(e);
    };
    stdin.on('data', onData);
    stdin.on('end', finish);
    stdin.on('error', onError);
    stdin.resume();
  });
}

/** Prompts on `out` and reads one line as typed (echoed by the terminal): for usernames. */
export async function readLineEcho(stdin: NodeJS.ReadableStream, out: PromptStream, prompt: string): Promise<string> {
  out.write(prompt);
  return readStdinLine(stdin);
}
