/**
 * Progress for long-running commands: count, rate and ETA on one self-rewriting stderr line when
 * stderr is a terminal; silent in pipes and CI, so output stays machine-readable.
 */
export class Progress {
  private readonly started = Date.now();
  private last = 0;
  private count = 0;
  private readonly enabled: boolean;

  constructor(
    private readonly label: string,
    private readonly total?: number,
    stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.stream = stream;
    this.enabled = Boolean(stream.isTTY);
  }
  private readonly stream: NodeJS.WriteStream;

  add(n: number): void {
    this.count += n;
    const now = Date.now();
    if (this.enabled && now - this.last > 200) {
      this.last = now;
      this.render(now);
    }
  }

  private render(now: number): void {
    const secs = Math.max((now - this.started) / 1000, 0.001);
    const rate = this.count / secs;
    let line = `${this.label}: ${this.count.toLocaleString('en')}`;
    if (this.total) line += ` / ${this.total.toLocaleString('en')}`;
    line += ` · ${Math.round(rate).toLocaleString('en')}/s`;
    if (this.total && rate > 0) line += ` · ETA ${Math.ceil((this.total - this.count) / rate)} s`;
    this.stream.write(`\r\x1b[K${line}`);
  }

  /** Ends the line and returns the totals. */
  done(): { count: number; seconds: number; rate: number } {
    const seconds = (Date.now() - this.started) / 1000;
    if (this.enabled) {
      this.render(Date.now());
      this.stream.write('\n');
    }
    return { count: this.count, seconds, rate: this.count / Math.max(seconds, 0.001) };
  }
}
