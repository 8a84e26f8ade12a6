// A one-line progress bar for long CLI work on a TTY; plain log lines otherwise (CI logs, pipes).
export class ProgressLine {
  private last = 0;
  private shown = false;
  constructor(private readonly out: NodeJS.WriteStream) {}

  update(done: number, total: number, text: string): void {
    const now = Date.now();
    if (now - this.last < 100) return;
    this.last = now;
    if (!this.out.isTTY) return;
    const width = 24;
    const frac = total > 0 ? Math.min(done / total, 1) : 0;
    const filled = Math.round(frac * width);
    this.out.write(
      `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ${text}\x1b[K`,
    );
    this.shown = true;
  }

  log(line: string): void {
    if (this.shown && this.out.isTTY) this.out.write('\r\x1b[K');
    this.out.write(`${line}\n`);
  }

  done(): void {
    if (this.shown && this.out.isTTY) this.out.write('\r\x1b[K');
    this.shown = false;
  }
}
