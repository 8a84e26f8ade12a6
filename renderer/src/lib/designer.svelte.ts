// The run designer's state: the form, the run's name, tags and parent, the host's estimate
// (asked for, debounced, whenever the valid form changes) and creating the run.
import type { ApiError, Estimate } from '../../../core/contract.js';
import type { AppState } from './app.svelte.js';
import { parseTags } from './runsTable.js';
import {
  defaultForm,
  fitFormToDataset,
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
  #datasetId = $state<number | null>(null);
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
  /** What the last preset changed ("cell GRU → LSTM"), shown beside it: nothing changes unseen. */
  presetChanges = $state<string[]>([]);
  /** Columns the last dataset change took out of the form (they do not exist in the new one). */
  dropped = $state<string[]>([]);

  // .by: `app` (a constructor parameter) is set after the field initialisers run.
  dataset = $derived.by(() => this.app.datasets.find((d) => d.id === this.#datasetId) ?? null);
  validation = $derived(validateForm(this.form));
  #inputJson = $derived(JSON.stringify(this.validation.input));
  /** Everything a host answer depends on: an error about another version of the form is stale. */
  #formKey = $derived(JSON.stringify([this.#datasetId, this.name, this.tagsText, this.#inputJson]));
  #hostErrorKey = $state('');
  #estimateErrorKey = $state('');
  /** The host's error about the form as it is now (a create error first, else the estimate's). */
  currentHostError = $derived.by<ApiError | null>(() => {
    if (this.hostError && this.#hostErrorKey === this.#formKey) return this.hostError;
    if (this.estimateError && this.#estimateErrorKey === this.#formKey) return this.estimateError;
    return null;
  });
  /** The form field a host error names ('' when none). */
  hostField = $derived(hostFieldToForm(this.currentHostError?.field));
  /** Messages by dotted field path: the schema's, and the host's at the field it names. */
  errors = $derived<Record<string, string>>({
    ...this.validation.errors,
    ...(this.hostField ? { [this.hostField]: this.currentHostError!.message } : {}),
  });
  /** Train is offered only for a valid form that no message is shown against. */
  canTrain = $derived(
    this.validation.spec !== null &&
      this.#datasetId !== null &&
      !this.submitting &&
      this.currentHostError === null &&
      Object.keys(this.errors).length === 0,
  );

  get datasetId(): number | null {
    return this.#datasetId;
  }

  /** Another dataset: the form keeps only the columns the new dataset has (and the form shows). */
  set datasetId(id: number | null) {
    if (id === this.#datasetId) return;
    this.#datasetId = id;
    const d = this.dataset;
    this.dropped = d ? fitFormToDataset(this.form, d) : [];
  }

  #estimateTimer: ReturnType<typeof setTimeout> | null = null;
  #estimateSeq = 0;

  constructor(private readonly app: AppState) {}

  /** Starts from what another screen asked for (a clone, or a dataset + target), else the current dataset. */
  takeSeed(): void {
    const app = this.app;
    const seed = app.designerSeed;
    if (seed) {
      this.form = seed.spec ? formFromInput(seed.spec) : defaultForm();
      this.#datasetId = seed.datasetId;
      this.dropped = this.dataset ? fitFormToDataset(this.form, this.dataset) : [];
      this.parentId = seed.parentId;
      this.name = seed.name ?? '';
      app.designerSeed = null;
      this.hostError = null;
    } else if (this.#datasetId === null && app.selectedDatasetId !== null) {
      this.datasetId = app.selectedDatasetId;
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
    const key = this.#formKey;
    this.#estimateTimer = setTimeout(async () => {
      this.#estimateTimer = null;
      const r = await this.app.client.call('runs.estimate', { datasetId: id, spec: JSON.parse(json) });
      if (seq !== this.#estimateSeq) return;
      this.estimate = r.ok ? r.value : null;
      this.estimateError = r.ok ? null : r.error;
      this.#estimateErrorKey = key;
    }, ESTIMATE_DEBOUNCE_MS);
  }

  applyPreset(p: PresetName): void {
    this.preset = p;
    this.presetChanges = PRESETS[p].apply(this.form);
  }

  /** Fills the form from a stored run, to change what the user wants to try. */
  clone(idText: string): void {
    const run = this.app.runs.find((r) => r.id === Number(idText));
    if (!run) return;
    this.form = formFromInput(run.spec);
    this.#datasetId = run.datasetId;
    this.dropped = this.dataset ? fitFormToDataset(this.form, this.dataset) : [];
    this.parentId = run.id;
    this.name = `${run.name} clone`;
    this.tagsText = run.tags.join(', ');
    this.hostError = null;
  }

  /** Creates the run and opens its live screen. */
  async train(): Promise<void> {
    const { datasetId, validation, app } = this;
    if (datasetId === null || !this.canTrain) return;
    const key = this.#formKey;
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
      this.#hostErrorKey = key;
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
