/**
 * A one-line progress bar on stderr, redrawn at most every 200 ms, only when stderr is a
 * terminal (a pipe or a CI log gets nothing). Shell: writes to the stream it is given.
 */
export interface ProgressSink {
  readonly isTTY?: boolean;
  write(text: string): boolean;
}

export class ProgressBar {
  private lastDraw = 0;
  private drawn = false;
  private readonly started = Date.now();

  constructor(
    private readonly sink: ProgressSink,
    /** total bytes of the inputs; 0 when unknown (stdin) */
    private readonly totalBytes: number,
    private readonly enabled = sink.isTTY === true,
  ) {}

  update(bytesDone: number, statements: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.lastDraw < 200) return;
    this.lastDraw = now;
    const seconds = Math.max((now - this.started) / 1000, 0.001);
    const rate = `${Math.round(statements / seconds).toLocaleString("en-US")}/s`;
    let bar = "";
    if (this.totalBytes > 0) {
      const done = Math.min(bytesDone / this.totalBytes, 1);
      const filled = Math.round(done * 30);
      bar = `[${"#".repeat(filled)}${" ".repeat(30 - filled)}] ${(done * 100).toFixed(0).padStart(3)}%  `;
    }
    this.sink.write(`\r${bar}${statements.toLocaleString("en-US")} statements  ${rate}\u001b[K`);
    this.drawn = true;
  }

  /** Clears the line so the report starts on a clean one. */
  done(): void {
    if (this.drawn) this.sink.write("\r\u001b[K");
  }
}
