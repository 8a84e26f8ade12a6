// Importing a CSV from the Datasets screen: a browser upload (or the desktop's native dialog,
// which gives a host path directly), then `datasets.import` with parse progress from the host.
import type { ApiError, ColumnTypes, DatasetSummary, ImportProgress } from '../../../core/contract.js';
import type { AppState } from './app.svelte.js';
import { fmtBytes, fmtInt } from './format.js';

/** A re-import's settings: the dataset's name and the user's column types. */
export interface ImportChoices {
  name?: string;
  columnTypes?: ColumnTypes;
}

export class DatasetImport {
  /** The dataset the last import made (selected on success). */
  done = $state.raw<DatasetSummary | null>(null);
  importing = $state(false);
  /** File name of the import under way (or of the last one, for its error). */
  name = $state('');
  uploaded = $state<{ sent: number; total: number } | null>(null);
  parsed = $state<ImportProgress | null>(null);
  error = $state<ApiError | null>(null);

  /** Done fraction: parsing once the host reports it, else the upload; null when unknown. */
  fraction = $derived.by(() => {
    const { parsed, uploaded } = this;
    if (parsed && parsed.totalBytes > 0) return parsed.bytes / parsed.totalBytes;
    return uploaded && uploaded.total > 0 ? uploaded.sent / uploaded.total : null;
  });
  detail = $derived(
    this.parsed
      ? `parsing: ${fmtInt(this.parsed.rows)} rows`
      : this.uploaded
        ? `uploading ${fmtBytes(this.uploaded.sent)} of ${fmtBytes(this.uploaded.total)}`
        : '',
  );

  #offProgress: (() => void) | null = null;

  constructor(private readonly app: AppState) {}

  /** Browser: uploads the picked or dropped file, then imports it on the host. */
  async importFile(file: File, choices: ImportChoices = {}): Promise<void> {
    this.#begin(file.name, { sent: 0, total: file.size });
    try {
      const up = await this.app.client.upload(file, (sent, total) => (this.uploaded = { sent, total }));
      if (!up.ok) {
        this.error = up.error;
        return;
      }
      await this.#importPath(up.value.path, file.name, choices);
    } finally {
      this.importing = false;
    }
  }

  /** Electron: the native dialog gives a host path, no upload needed. */
  async importPicked(choices: ImportChoices = {}): Promise<void> {
    const path = await this.app.client.pickCsv?.();
    if (!path) return;
    this.#begin(path.split(/[\\/]/).pop() ?? path, null);
    try {
      await this.#importPath(path, this.name, choices);
    } finally {
      this.importing = false;
    }
  }

  /** Stops listening to a progress stream still open (the screen was left mid-import). */
  destroy(): void {
    this.#offProgress?.();
    this.#offProgress = null;
  }

  #begin(name: string, uploaded: { sent: number; total: number } | null): void {
    this.importing = true;
    this.name = name;
    this.error = null;
    this.uploaded = uploaded;
    this.parsed = null;
    this.done = null;
  }

  async #importPath(path: string, fileName: string, choices: ImportChoices): Promise<void> {
    const { client } = this.app;
    this.#offProgress = client.on('import:progress', (p) => (this.parsed = p));
    const types = choices.columnTypes && Object.keys(choices.columnTypes).length > 0 ? choices.columnTypes : null;
    const r = await client.call('datasets.import', {
      path,
      name: choices.name ?? fileName.replace(/\.[^.]+$/, ''),
      ...(types ? { columnTypes: types } : {}),
    });
    this.destroy();
    if (!r.ok) {
      this.error = r.error;
      return;
    }
    this.done = r.value;
    await this.app.refreshDatasets();
    this.app.selectedDatasetId = r.value.id;
  }
}
