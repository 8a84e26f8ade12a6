// Shared state of the workbench as one `$state` class: datasets, runs, the route and the runs
// chosen for comparison, kept current by host events. Pages read it and call its methods; nothing
// here knows the transport (see api.ts). The theme (theme.svelte.ts) and the live data of training
// runs (live.svelte.ts) have their own modules.
import type { ApiError, DatasetSummary, RunRow, RunSpecInput } from '../../../core/contract.js';
import type { Client } from './api.js';

export const PAGES = ['datasets', 'designer', 'live', 'runs', 'compare', 'studies', 'export'] as const;
export type Page = (typeof PAGES)[number];

export const PAGE_TITLES: Record<Page, string> = {
  datasets: 'Datasets',
  designer: 'Run designer',
  live: 'Live run',
  runs: 'Runs',
  compare: 'Compare',
  studies: 'Studies',
  export: 'Export',
};

export interface Route {
  page: Page;
  id: number | null;
}

export function parseRoute(hash: string): Route {
  const [, page, id] = /^#\/?([a-z]+)?(?:\/(\d+))?/.exec(hash) ?? [];
  const p = (PAGES as readonly string[]).includes(page ?? '') ? (page as Page) : 'datasets';
  return { page: p, id: id ? Number(id) : null };
}

/** What the designer should start from: a clone of a run or a dataset + target picked elsewhere. */
export interface DesignerSeed {
  datasetId: number;
  spec: RunSpecInput | null;
  parentId: number | null;
  name?: string;
}

export class AppState {
  route = $state<Route>({ page: 'datasets', id: null });
  datasets = $state<DatasetSummary[]>([]);
  runs = $state<RunRow[]>([]);
  loaded = $state(false);
  /** Error of a whole-page load (lists); form errors stay with their form. */
  loadError = $state<ApiError | null>(null);
  selectedDatasetId = $state<number | null>(null);
  compareIds = $state<number[]>([]);
  designerSeed = $state<DesignerSeed | null>(null);

  #refreshRunsTimer: ReturnType<typeof setTimeout> | null = null;
  #off: (() => void)[] = [];

  constructor(readonly client: Client) {}

  /** Subscribes to host events and loads the lists. */
  async start(): Promise<void> {
    const c = this.client;
    this.#off.push(
      c.on('datasets:changed', () => void this.refreshDatasets()),
      // The row is read again rather than patched from the event: a finished run's status, epochs
      // and test metrics arrive together, never "completed" with 9/10 epochs (issue 14 bug 7).
      c.on('run:status', (e) => {
        void this.client.call('runs.get', { id: e.runId }).then((r) => {
          if (r.ok) this.putRun(r.value);
        });
        this.scheduleRunsRefresh(50);
      }),
      // A finished epoch changes the run's summary columns (best val loss, epochs done).
      c.on('run:epoch', () => this.scheduleRunsRefresh(1000)),
      // A queued run's reason to wait changed (a trainer slot freed or filled).
      c.on('run:log', (l) => {
        if (l.message.startsWith('waiting: ')) this.scheduleRunsRefresh(500);
      }),
    );
    await Promise.all([this.refreshDatasets(), this.refreshRuns()]);
    this.loaded = true;
  }

  /** Unsubscribes and drops a pending refresh. */
  stop(): void {
    for (const off of this.#off) off();
    this.#off = [];
    if (this.#refreshRunsTimer) clearTimeout(this.#refreshRunsTimer);
    this.#refreshRunsTimer = null;
  }

  async refreshDatasets(): Promise<void> {
    const r = await this.client.call('datasets.list', {});
    if (!r.ok) {
      this.loadError = r.error;
      return;
    }
    this.datasets = r.value;
    if (this.selectedDatasetId === null || !r.value.some((d) => d.id === this.selectedDatasetId)) {
      this.selectedDatasetId = r.value[0]?.id ?? null;
    }
  }

  async refreshRuns(): Promise<void> {
    const r = await this.client.call('runs.list', {});
    if (!r.ok) {
      this.loadError = r.error;
      return;
    }
    this.runs = r.value;
    const ids = new Set(r.value.map((x) => x.id));
    this.compareIds = this.compareIds.filter((id) => ids.has(id));
  }

  /** Coalesces bursts of run events into one list refresh. */
  scheduleRunsRefresh(ms: number): void {
    if (this.#refreshRunsTimer) return;
    this.#refreshRunsTimer = setTimeout(() => {
      this.#refreshRunsTimer = null;
      void this.refreshRuns();
    }, ms);
  }

  /** Replaces one run row after an update. */
  putRun(row: RunRow): void {
    const i = this.runs.findIndex((r) => r.id === row.id);
    if (i >= 0) this.runs[i] = row;
    else this.runs = [row, ...this.runs];
  }

  go(page: Page, id: number | null = null): void {
    const hash = `#/${page}${id !== null ? `/${id}` : ''}`;
    if (typeof location !== 'undefined' && location.hash !== hash) location.hash = hash;
    this.route = { page, id };
  }

  toggleCompare(id: number, on?: boolean): void {
    const has = this.compareIds.includes(id);
    const want = on ?? !has;
    if (want && !has) this.compareIds = [...this.compareIds, id];
    if (!want && has) this.compareIds = this.compareIds.filter((x) => x !== id);
  }
}
