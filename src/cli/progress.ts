// A one-line progress bar on a terminal's stderr: files done / total, fixes so far, rate.
// Redrawn at most ten times a second; cleared before anything else is printed.

export class Progress {
  private done = 0;
  private fixes = 0;
  private shown = false;
  private lastDraw = 0;
  private readonly started = performance.now();

  constructor(
    private readonly write: (s: string) => void,
    private readonly total: number,
    private readonly enabled: boolean,
    private readonly columns = 80,
  ) {}

  tick(fixes: number): void {
    if (!this.enabled) return;
    this.done++;
    this.fixes += fixes;
    const now = performance.now();
    if (now - this.lastDraw < 100 && this.done < this.total) return;
    this.lastDraw = now;
    this.draw(now);
  }

  /** Runs `print` with the bar out of the way. */
  around(print: () => void): void {
    if (!this.shown) return print();
    this.clear();
    print();
    this.draw(performance.now());
  }

  clear(): void {
    if (!this.shown) return;
    this.write('\r\u001b[K');
    this.shown = false;
  }

  private draw(now: number): void {
    const seconds = Math.max((now - this.started) / 1000, 0.001);
    const rate = this.done / seconds;
    const info = ` ${this.done}/${this.total} files, ${this.fixes} fix${this.fixes === 1 ? '' : 'es'}, ${rate.toFixed(rate < 10 ? 1 : 0)} files/s`;
    const width = Math.max(10, Math.min(40, this.columns - info.length - 3));
    const filled = Math.round((width * this.done) / Math.max(this.total, 1));
    this.write(`\r\u001b[K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]${info}`);
    this.shown = true;
  }
}
