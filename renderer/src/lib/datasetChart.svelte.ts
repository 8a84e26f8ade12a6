// The Datasets screen's chart data. The host sends a min/max-decimated overview (a few thousand
// points, whatever the row count) and, once zoomed, a fine view of the window; the chart draws
// both merged. Raw state: the arrays are big and replaced whole, never mutated.
import type { ApiError } from '../../../core/contract.js';
import { datasetLineOption, mergeSeriesData, type SeriesData } from '../charts/dataset.js';
import type { Client } from './api.js';

/** Buckets asked of the host per request (about 2 × buckets points per column). */
const BUCKETS = 1500;
/** Wait for the wheel to settle before fetching the zoomed window. */
const ZOOM_DEBOUNCE_MS = 120;

/** Which columns of which dataset (and which series of a long-format one) to draw. */
export interface SeriesQuery {
  id: number;
  columns: string[];
  series?: string;
}

export class DatasetChartState {
  overview = $state.raw<SeriesData | null>(null);
  detail = $state.raw<SeriesData | null>(null);
  zoomRange = $state.raw<[number, number] | null>(null);
  error = $state<ApiError | null>(null);
  option = $derived(
    this.overview ? datasetLineOption(mergeSeriesData(this.overview, this.detail), { range: this.zoomRange }) : null,
  );

  /** The dataset the overview belongs to (null: none drawn). */
  datasetId = $state<number | null>(null);

  #query: SeriesQuery | null = null;
  #request = 0;
  #detailRequest = 0;
  #zoomTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly client: Client) {}

  /** Fetches the overview for a new selection (null: nothing to draw); answers to older ones are dropped. */
  load(query: SeriesQuery | null): void {
    const other = query?.id !== this.#query?.id;
    this.#query = query;
    // Counted for a null selection too: an answer still on its way for the previous dataset must
    // not draw its chart under one with nothing to plot (issue 14 bug 4).
    const mine = ++this.#request;
    // Another dataset (or none): the previous one's drawing goes at once, not when an answer comes.
    if (!query || other) {
      this.overview = null;
      this.detail = null;
      this.zoomRange = null;
      this.error = null;
      this.datasetId = query?.id ?? null;
    }
    if (!query) return;
    void this.client.call('datasets.series', { ...query, buckets: BUCKETS }).then((r) => {
      if (mine !== this.#request) return;
      this.error = r.ok ? null : r.error;
      this.zoomRange = null;
      this.detail = null;
      this.overview = r.ok ? r.value : null;
    });
  }

  /** Back to the whole series (the reset-zoom button): the overview again, a pending zoom fetch dropped. */
  resetZoom(): void {
    this.#clearTimer();
    this.#detailRequest++;
    this.zoomRange = null;
    this.detail = null;
    // A new object, so the chart re-applies the option even when no zoom range was stored yet.
    if (this.overview) this.overview = { ...this.overview };
  }

  /** The chart's zoom handler: fetches the window finely once the user stops zooming. */
  zoom(range: [number, number] | null): void {
    this.#clearTimer();
    this.#zoomTimer = setTimeout(() => {
      this.#zoomTimer = null;
      this.zoomRange = range;
      const mine = ++this.#detailRequest;
      const query = this.#query;
      if (!range || !query || !this.overview) {
        this.detail = null;
        return;
      }
      void this.client.call('datasets.series', { ...query, buckets: BUCKETS, range }).then((r) => {
        if (mine === this.#detailRequest && r.ok) this.detail = r.value;
      });
    }, ZOOM_DEBOUNCE_MS);
  }

  /** Cancels a pending zoom fetch and ignores answers still on their way. */
  destroy(): void {
    this.#clearTimer();
    this.#request++;
    this.#detailRequest++;
  }

  #clearTimer(): void {
    if (this.#zoomTimer) clearTimeout(this.#zoomTimer);
    this.#zoomTimer = null;
  }
}
