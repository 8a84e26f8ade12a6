// The run designer's state: the form, the run's name, tags and parent, the host's estimate
// (asked for, debounced, whenever the valid form changes) and creating the run.
import type { ApiError, Estimate } from '../../../core/contract.js';
import type { AppState } from './app.svelte.js';
import { parseTags } from './runsTable.js';
import {
  defaultForm,
  formFromInput,
  hostFieldToForm,
  PRESETS,
  validateForm,
  type PresetName,
  type SpecForm,
} from './specForm.js';

/** Wait for typing to pause before asking the host for an estimate. */
const ESTIMATE_DEBOUNCE_MS = 300;

export class DesignerState {
  datasetId = $state<number | null>(null);
  form = $state<SpecForm>(defaultForm());
  name = $state('');
  tagsText = $state('');
  parentId = $state<number | null>(null);
  cloneFrom = $state('');
  hostError = $state<ApiError | null>(null);
  estimate = $state<Estimate | null>(null);
  estimateError = $state<ApiError | null>(null);
  submitting = $state(false);
  preset = $state<PresetName | ''>('');

  // .by: `app` (a constructor parameter) is set after the field initialisers run.
  dataset = $derived.by(() => this.app.datasets.find((d) => d.id === this.datasetId) ?? null);
  validation = $derived(validateForm(this.form));
  /** The form field a host error names ('' when none). */
  hostField = $derived(hostFieldToForm((this.hostError ?? this.estimateError)?.field));
  /** Messages by dotted field path: the schema's, and the host's at the field it names. */
  errors = $derived<Record<string, string>>({
    ...this.validation.errors,
    ...(this.hostField ? { [this.hostField]: (this.hostError ?? this.estimateError)!.message } : {}),
  });
  #inputJson = $derived(JSON.stringify(this.validation.input));

  #estimateTimer: ReturnType<typeof setTimeout> | null = null;
  #estimateSeq = 0;

  constructor(private readonly app: AppState) {}

  /** Starts from what another screen asked for (a clone, or a dataset + target), else the current dataset. */
  takeSeed(): void {
    const app = this.app;
    const seed = app.designerSeed;
    if (seed) {
      this.datasetId = seed.datasetId;
      this.form = seed.spec ? formFromInput(seed.spec) : defaultForm();
      this.parentId = seed.parentId;
      this.name = seed.name ?? '';
      app.designerSeed = null;
      this.hostError = null;
    } else if (this.datasetId === null && app.selectedDatasetId !== null) {
      this.datasetId = app.selectedDatasetId;
      const d = this.dataset;
      const first = d?.columns.find((c) => c.kind === 'numeric' && c.name !== d.seriesColumn);
      if (first && this.form.target.length === 0) this.form.target = [first.name];
    }
  }

  /** Asks the host for the parameter count and windows per split once the form is valid (debounced). */
  requestEstimate(): void {
    const id = this.datasetId;
    const json = this.#inputJson;
    const valid = this.validation.spec !== null;
    this.#clearTimer();
    if (id === null || !valid) {
      this.estimate = null;
      return;
    }
    const seq = ++this.#estimateSeq;
    this.#estimateTimer = setTimeout(async () => {
      this.#estimateTimer = null;
      const r = await this.app.client.call('runs.estimate', { datasetId: id, spec: JSON.parse(json) });
      if (seq !== this.#estimateSeq) return;
      this.estimate = r.ok ? r.value : null;
      this.estimateError = r.ok ? null : r.error;
    }, ESTIMATE_DEBOUNCE_MS);
  }

  applyPreset(p: PresetName): void {
    this.preset = p;
    PRESETS[p].apply(this.form);
  }

  /** Fills the form from a stored run, to change what the user wants to try. */
  clone(idText: string): void {
    const run = this.app.runs.find((r) => r.id === Number(idText));
    if (!run) return;
    this.form = formFromInput(run.spec);
    this.datasetId = run.datasetId;
    this.parentId = run.id;
    this.name = `${run.name} clone`;
    this.tagsText = run.tags.join(', ');
    this.hostError = null;
  }

  /** Creates the run and opens its live screen. */
  async train(): Promise<void> {
    const { datasetId, validation, app } = this;
    if (datasetId === null || validation.spec === null) return;
    this.submitting = true;
    this.hostError = null;
    const tags = parseTags(this.tagsText);
    const name = this.name.trim();
    const r = await app.client.call('runs.create', {
      datasetId,
      spec: validation.input,
      ...(name ? { name } : {}),
      ...(this.parentId !== null ? { parentId: this.parentId } : {}),
      ...(tags.length ? { tags } : {}),
    });
    this.submitting = false;
    if (!r.ok) {
      this.hostError = r.error;
      return;
    }
    app.putRun(r.value);
    this.parentId = null;
    this.cloneFrom = '';
    app.go('live', r.value.id);
  }

  /** Cancels a pending estimate request and ignores one on its way. */
  destroy(): void {
    this.#clearTimer();
    this.#estimateSeq++;
  }

  #clearTimer(): void {
    if (this.#estimateTimer) clearTimeout(this.#estimateTimer);
    this.#estimateTimer = null;
  }
}
