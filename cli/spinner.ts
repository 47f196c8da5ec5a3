/**
 * A one-line spinner on stderr for people watching a scan or a payment. Silent when stderr
 * is not a terminal or the command prints JSON, so pipes and scripts see nothing of it.
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

  constructor(
    private readonly stream: SpinnerStream,
    quiet: boolean,
  ) {
    this.enabled = !quiet && stream.isTTY === true;
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

  private draw(): void {
    this.frame = (this.frame + 1) % FRAMES.length;
    this.stream.write(`\r\x1b[2K${FRAMES[this.frame]} ${this.text}`);
  }
}
