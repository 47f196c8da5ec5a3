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

/**
 * Prompts on `out` and reads one line from the terminal without echo; null on Ctrl-C / Ctrl-D.
 * What was typed past the line's end (a paste, keys typed ahead) is put back for the next read.
 */
export function readSecret(stdin: SecretStdin, out: PromptStream, prompt: string): Promise<string | null> {
  return new Promise((resolve) => {
    out.write(prompt);
    let value = '';
    const raw = typeof stdin.setRawMode === 'function';
    if (raw) stdin.setRawMode?.(true);
    stdin.setEncoding('utf8');
    const done = (v: string | null, rest: string): void => {
      stdin.removeListener('data', onData);
      if (raw) stdin.setRawMode?.(false);
      stdin.pause();
      if (rest !== '') stdin.unshift(rest);
      out.write('\n');
      resolve(v);
    };
    const onData = (chunk: string | Buffer): void => {
      const text = String(chunk);
      for (let i = 0; i < text.length; i++) {
        const ch = text[i];
        // "\r\n" is one line end.
        const rest = (): string => text.slice(ch === '\r' && text[i + 1] === '\n' ? i + 2 : i + 1);
        if (ch === '\r' || ch === '\n') return done(value, rest());
        if (ch === '\u0003') return done(null, ''); // Ctrl-C
        if (ch === '\u0004') {
          if (value === '') return done(null, ''); // Ctrl-D on an empty line
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

export interface NewSecretPrompt {
  prompt: string;
  /** Asked after a value passes `problem`: the same value typed again. */
  confirm: string;
  /** Why a value cannot be used (e.g. "8 to 128 characters"), or null. Checked before anything else is asked. */
  problem(value: string): string | null;
  /** Attempts in all (default 3), as passwd(1) gives. */
  tries?: number;
}

/**
 * A new secret typed on the terminal: checked at once (not after the next question), then
 * typed again to catch a typo nobody could see; a problem or a mismatch asks again, up to
 * `tries` times. Null after the last try, or on Ctrl-C / Ctrl-D; each problem is said on `out`.
 */
export async function askNewSecret(stdin: SecretStdin, out: PromptStream, p: NewSecretPrompt): Promise<string | null> {
  const tries = p.tries ?? 3;
  for (let left = tries - 1; left >= 0; left--) {
    const again = left > 0 ? '; try again' : '';
    const value = await readSecret(stdin, out, p.prompt);
    if (value === null) return null;
    const problem = p.problem(value);
    if (problem) {
      out.write(`${problem}${again}\n`);
      continue;
    }
    const confirmed = await readSecret(stdin, out, p.confirm);
    if (confirmed === null) return null;
    if (confirmed === value) return value;
    out.write(`the two did not match${again}\n`);
  }
  return null;
}
