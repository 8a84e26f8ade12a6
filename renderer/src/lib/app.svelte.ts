// Shared state of the workbench as one `$state` class: datasets, runs, the route, the runs chosen
// for comparison and the live data of training runs fed by host events. Pages read it and call
// its methods; nothing here knows the transport (see api.ts).
import { SvelteMap } from 'svelte/reactivity';
import type {
  ApiError,
  DatasetSummary,
  RunEpoch,
  RunLog,
  RunProgress,
  RunRow,
  RunSpecInput,
} from '../../../core/contract.js';
import type { Client } from './api.js';

export const PAGES = ['datasets', 'designer', 'live', 'runs', 'compare', 'export'] as const;
export type Page = (typeof PAGES)[number];

export const PAGE_TITLES: Record<Page, string> = {
  datasets: 'Datasets',
  designer: 'Run designer',
  live: 'Live run',
  runs: 'Runs',
  compare: 'Compare',
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

/** Live data of one run, appended from `run:*` events. */
export class LiveRun {
  progress = $state<RunProgress | null>(null);
  epochs = $state<RunEpoch[]>([]);
  logs = $state<RunLog[]>([]);
}

/** What the designer should start from: a clone of a run or a dataset + target picked elsewhere. */
export interface DesignerSeed {
  datasetId: number;
  spec: RunSpecInput | null;
  parentId: number | null;
  name?: string;
}

export type Theme = 'light' | 'dark';

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
  theme = $state<Theme>('light');
  live = new SvelteMap<number, LiveRun>();
  connected = $state(true);

  #refreshRunsTimer: ReturnType<typeof setTimeout> | null = null;
  #off: (() => void)[] = [];

  constructor(readonly client: Client) {}

  /** Subscribes to host events and loads the lists. */
  async start(): Promise<void> {
    const c = this.client;
    this.#off.push(
      c.on('datasets:changed', () => void this.refreshDatasets()),
      c.on('run:status', (e) => {
        const row = this.runs.find((r) => r.id === e.runId);
        if (row) row.status = e.status;
        this.liveOf(e.runId).logs.push({
          runId: e.runId,
          level: e.status === 'failed' ? 'error' : 'info',
          message: `status: ${e.status}${e.error ? ` (${e.error})` : ''}`,
          time: Date.now(),
        });
        this.scheduleRunsRefresh(50);
      }),
      c.on('run:progress', (p) => {
        this.liveOf(p.runId).progress = p;
      }),
      c.on('run:epoch', (e) => {
        const live = this.liveOf(e.runId);
        if (!live.epochs.some((x) => x.epoch === e.epoch)) live.epochs.push(e);
        this.scheduleRunsRefresh(1000);
      }),
      c.on('run:log', (l) => {
        const logs = this.liveOf(l.runId).logs;
        logs.push(l);
        if (logs.length > 500) logs.splice(0, logs.length - 500);
      }),
    );
    await Promise.all([this.refreshDatasets(), this.refreshRuns()]);
    this.loaded = true;
  }

  stop(): void {
    for (const off of this.#off) off();
    this.#off = [];
  }

  liveOf(runId: number): LiveRun {
    let live = this.live.get(runId);
    if (!live) {
      live = new LiveRun();
      this.live.set(runId, live);
    }
    return live;
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

  setTheme(theme: Theme): void {
    this.theme = theme;
    document.documentElement.dataset.theme = theme;
    try {
      localStorage.setItem('rnn-workbench-theme', theme);
    } catch {
      /* storage may be off */
    }
  }

  initialTheme(): Theme {
    try {
      const saved = localStorage.getItem('rnn-workbench-theme');
      if (saved === 'light' || saved === 'dark') return saved;
    } catch {
      /* ignore */
    }
    return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  }
}
