// One async loop per record id in this host (a backtest's folds, a study's trials): a second drive
// of the same id is ignored while the first runs, `wait` resolves when it has ended, and a failure
// goes to the owner's handler unless the host is closing.

export class LoopSet {
  private readonly loops = new Map<number, Promise<void>>();
  /** Set by the owner's close(); loops check it between steps, failures after it are not reported. */
  closed = false;

  /** Starts `run` for `id` unless a loop for it is running (or the set is closed). */
  start(id: number, run: () => Promise<void>, onError: (e: Error) => void): void {
    if (this.loops.has(id) || this.closed) return;
    const loop = run()
      .catch((e: unknown) => {
        if (!this.closed) onError(e as Error);
      })
      .finally(() => this.loops.delete(id));
    this.loops.set(id, loop);
  }

  has(id: number): boolean {
    return this.loops.has(id);
  }

  /** Resolves when the loop for `id` has ended (at once when there is none). */
  async wait(id: number): Promise<void> {
    await this.loops.get(id);
  }

  ids(): IterableIterator<number> {
    return this.loops.keys();
  }
}
