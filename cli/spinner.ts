/**
 * A one-line spinner on stderr for people watching long work: a scan, a payment, the
 * simulator booting, the checkout opening its database, the demo's steps. Silent with
 * --json and unless both stderr and stdout are a terminal: output piped or redirected
 * means a script or a log is reading, and neither wants `\r` frames in it.
 */
export interface SpinnerStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export class Spinner {
  private timer: ReturnType<typeof setInterval> | null = null;
  private frame = 0;
  private text = '';
  readonly enabled: boolean;

  /** `output`: where the command's results go (stdout); it must be a terminal too. */
  constructor(
    private readonly stream: SpinnerStream,
    quiet: boolean,
    output: { isTTY?: boolean } = stream,
  ) {
    this.enabled = !quiet && stream.isTTY === true && output.isTTY === true;
  }

  start(text: string): void {
    this.text = text;
    if (!this.enabled) return;
    if (!this.timer) {
      this.timer = setInterval(() => this.draw(), 80);
      this.timer.unref?.();
    }
    this.draw();
  }

  update(text: string): void {
    this.text = text;
    if (this.timer) this.draw();
  }

  /** Clears the line; prints `final` (a finished line) when given. */
  stop(final?: string): void {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = null;
      this.stream.write('\r\x1b[2K');
    }
    if (final !== undefined && this.enabled) this.stream.write(final + '\n');
  }

  /**
   * Wraps a writer of result lines (stdout, the same screen) so that the spinner's line is
   * cleared before each and drawn again after it, instead of being overwritten mid-frame.
   */
  around(write: (line: string) => void): (line: string) => void {
    return (line) => {
      if (this.timer) this.stream.write('\r\x1b[2K');
      write(line);
      if (this.timer) this.draw();
    };
  }

  private draw(): void {
    this.frame = (this.frame + 1) % FRAMES.length;
    this.stream.write(`\r\x1b[2K${FRAMES[this.frame]} ${this.text}`);
  }
}
