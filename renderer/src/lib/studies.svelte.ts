// Live study data for the Studies page: the list, or one study, reloaded (coalesced) when the
// host reports study progress or an epoch of one of its trial runs. Only the typed client.
import type { ApiError, StudyRow } from '../../../core/contract.js';
import type { Client } from './api.js';

export class StudiesLive {
  list = $state<StudyRow[]>([]);
  study = $state<StudyRow | null>(null);
  error = $state<ApiError | null>(null);
  loaded = $state(false);
  #timer: ReturnType<typeof setTimeout> | null = null;
  #off: (() => void)[] = [];

  /** `id`: one study (its trials too); null: the list. */
  constructor(
    readonly client: Client,
    readonly id: number | null,
  ) {}

  start(): void {
    const mine = (studyId: number) => this.id === null || studyId === this.id;
    this.#off.push(
      this.client.on('study:progress', (p) => mine(p.studyId) && this.schedule(400)),
      this.client.on('study:status', (s) => mine(s.studyId) && this.schedule(100)),
      // Trials' epochs move their rows (epochs done, val loss) between study events.
      this.client.on('run:epoch', (e) => this.ownsRun(e.runId) && this.schedule(1500)),
      // A trial started, stopped or failed: its status cell must follow even without a study event.
      this.client.on('run:status', (e) => this.ownsRun(e.runId) && this.schedule(300)),
    );
    void this.reload();
  }

  ownsRun(runId: number): boolean {
    return this.id !== null && (this.study?.trials.some((t) => t.runId === runId) ?? false);
  }

  stop(): void {
    for (const off of this.#off) off();
    this.#off = [];
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  schedule(ms: number): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.reload();
    }, ms);
  }

  async reload(): Promise<void> {
    if (this.id === null) {
      const r = await this.client.call('studies.list', {});
      if (r.ok) this.list = r.value;
      this.error = r.ok ? null : r.error;
    } else {
      const r = await this.client.call('studies.get', { id: this.id });
      if (r.ok) this.study = r.value;
      this.error = r.ok ? null : r.error;
    }
    this.loaded = true;
  }

  /** Stop or resume the study; the answer replaces the row. */
  async act(action: 'stop' | 'resume'): Promise<void> {
    if (this.id === null) return;
    const r = await this.client.call(action === 'stop' ? 'studies.stop' : 'studies.resume', { id: this.id });
    if (r.ok) this.study = r.value;
    this.error = r.ok ? null : r.error;
  }
}
