// The renderer's one way to the host. Inside Electron the preload exposes `window.workbench`
// (one function per contract method + `on`); in a browser the same calls go over HTTP + a
// WebSocket for events. Nothing else in the renderer knows which transport is in use.
import type { MenuCommand, WorkbenchBridge } from '../../../core/bridge.js';
import type {
  Args,
  EventMap,
  EventName,
  ImportBundleResult,
  MethodName,
  Output,
  PredictResult,
  Result,
} from '../../../core/contract.js';

export type Listener<E extends EventName> = (payload: EventMap[E]) => void;

declare global {
  interface Window {
    /** The Electron preload's bridge (core/bridge.ts); absent in a browser. */
    workbench?: WorkbenchBridge;
  }
}

export interface Client {
  readonly transport: 'ipc' | 'http';
  call<M extends MethodName>(method: M, args: Args<M>): Promise<Result<Output<M>>>;
  on<E extends EventName>(event: E, listener: Listener<E>): () => void;
  /** Makes a picked or dropped file importable and returns the host path for `datasets.import`. */
  upload(file: File, onProgress?: (sent: number, total: number) => void): Promise<Result<{ path: string }>>;
  /** A native file dialog where there is one (Electron): the chosen path, or null when cancelled. */
  pickCsv?(): Promise<string | null>;
  /** Exports a run's model (docs/export.md) in a format: a download in the browser, a chosen folder in Electron. */
  exportModel(runId: number, checkpoint: 'best' | 'last', format?: ExportFormat): Promise<Result<{ message: string }>>;
  /** Bundles runs (docs/bundles.md): a .rnnwb download in the browser, a file in a chosen folder in Electron. */
  bundleRuns(ids: number[], withData: boolean): Promise<Result<{ message: string }>>;
  /** Imports a bundle: the given File uploaded in the browser; in Electron one picked in the open dialog. */
  importBundle(file?: File): Promise<Result<ImportBundleResult>>;
  /**
   * Forecasts every window of a new CSV with a run (runs.predict csvPath): the given File uploaded in
   * the browser; in Electron one picked in the open dialog (which grants main the path).
   */
  predictFile(runId: number, file?: File): Promise<Result<{ forecast: PredictResult; file: string }>>;
  /** Saves a CSV: a download in the browser, a save dialog in Electron. */
  saveText(fileName: string, text: string): Promise<Result<{ message: string }>>;
  /** Application menu commands (Electron only). */
  onMenu?(listener: (command: MenuCommand) => void): () => void;
  /**
   * Browser mode: called once the host refused this page (no token in the URL, no cookie, or a
   * server restarted with a new token); the event socket stops retrying then.
   */
  onDenied?(listener: () => void): () => void;
}

/** The model formats of `runs.export`: TF.js layers (the default) or one ONNX file. */
export type ExportFormat = NonNullable<Args<'runs.export'>['format']>;

/** The bundle's file name: the run ids, or their count when there are many. */
export const bundleName = (ids: number[]): string =>
  ids.length <= 5 ? `runs-${ids.join('-')}.rnnwb` : `runs-${ids.length}.rnnwb`;

function failure(
  message: string,
  code: 'internal' | 'bad_input' = 'internal',
  field?: string,
): { ok: false; error: { code: typeof code; message: string; field?: string } } {
  return { ok: false, error: { code, message, ...(field ? { field } : {}) } };
}

/** Saves text as a file through the browser's download machinery (works in Electron too). */
export function saveBlob(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function saveText(fileName: string, text: string, type = 'text/csv'): void {
  saveBlob(fileName, new Blob([text], { type: `${type};charset=utf-8` }));
}

// ---------------------------------------------------------------------------------------------
// Electron

export function bridgeClient(bridge: WorkbenchBridge): Client {
  return {
    transport: 'ipc',
    call: (method, args) => (bridge.api[method] as (a: typeof args) => Promise<Result<Output<typeof method>>>)(args),
    on: (event, listener) => bridge.on(event, listener as (p: unknown) => void),
    async upload() {
      // Electron gives no path for a dropped File without webUtils; the native dialog does.
      return failure('in the desktop app, choose the file with the Import button (File ▸ Import)', 'bad_input', 'file');
    },
    pickCsv: () => bridge.dialogs.openCsv(),
    async exportModel(runId, checkpoint, format = 'tfjs') {
      const dir = await bridge.dialogs.chooseDir();
      if (!dir) return failure('export cancelled');
      const r = await bridge.api['runs.export']({ id: runId, outDir: dir, checkpoint, format });
      if (!r.ok) return r;
      return { ok: true, value: { message: `Saved to ${dir}` } };
    },
    async bundleRuns(ids, withData) {
      const dir = await bridge.dialogs.chooseDir();
      if (!dir) return failure('bundle cancelled');
      // Main accepts a file inside the folder picked just now (electron/grants.ts).
      const sep = dir.includes('\\') && !dir.includes('/') ? '\\' : '/';
      const r = await bridge.api['runs.bundle']({
        ids,
        outPath: `${dir.replace(/[\\/]+$/, '')}${sep}${bundleName(ids)}`,
        data: withData,
      });
      if (!r.ok) return r;
      return { ok: true, value: { message: `Saved ${r.value.path}` } };
    },
    async importBundle() {
      const path = await bridge.dialogs.openCsv();
      if (!path) return failure('import cancelled');
      return bridge.api['runs.importBundle']({ path });
    },
    async predictFile(runId) {
      const path = await bridge.dialogs.openCsv();
      if (!path) return failure('forecast cancelled');
      const r = await bridge.api['runs.predict']({ id: runId, csvPath: path });
      return r.ok ? { ok: true, value: { forecast: r.value, file: path.split(/[\\/]/).pop() ?? path } } : r;
    },
    async saveText(fileName, text) {
      const path = await bridge.dialogs.saveText(fileName, text);
      return path ? { ok: true, value: { message: `Saved ${path}` } } : failure('save cancelled');
    },
    onMenu: (listener) => bridge.onMenu(listener),
  };
}

// ---------------------------------------------------------------------------------------------
// Browser mode

const TOKEN_KEY = 'rnn-workbench-token';

/** Takes the token from `?token=` once, keeps it for this tab, and removes it from the address bar. */
export function takeToken(loc: Location = location, storage: Storage = sessionStorage): string {
  const params = new URLSearchParams(loc.search);
  const fromUrl = params.get('token');
  if (fromUrl) {
    storage.setItem(TOKEN_KEY, fromUrl);
    params.delete('token');
    const rest = params.toString();
    history.replaceState(null, '', `${loc.pathname}${rest ? `?${rest}` : ''}${loc.hash}`);
    return fromUrl;
  }
  return storage.getItem(TOKEN_KEY) ?? '';
}

async function envelope<T>(res: Response): Promise<Result<T>> {
  const text = await res.text();
  try {
    const body = JSON.parse(text) as Result<T>;
    if (typeof body === 'object' && body !== null && 'ok' in body) return body;
  } catch {
    /* fall through */
  }
  return failure(`host answered ${res.status} ${res.statusText}: ${text.slice(0, 200)}`);
}

/** The token header, when this tab has a token; without one the HttpOnly cookie (same origin) speaks for the page. */
const tokenHeader = (token: string): Record<string, string> => (token ? { 'x-workbench-token': token } : {});

export function httpClient(token: string, base = ''): Client {
  const listeners = new Map<EventName, Set<(p: unknown) => void>>();
  const deniedListeners = new Set<() => void>();
  let denied = false;
  let socket: WebSocket | null = null;
  let retry = 500;

  function deny(): void {
    if (denied) return;
    denied = true;
    for (const l of deniedListeners) l();
  }

  /** A socket that closed: the host restarted or the laptop slept (retry), or it refuses this page (stop). */
  async function reconnectOrStop(): Promise<void> {
    if (denied || ![...listeners.values()].some((s) => s.size > 0)) return;
    try {
      const res = await fetch(`${base}/api/system.info`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...tokenHeader(token) },
        body: '{}',
      });
      if (res.status === 401) return deny();
    } catch {
      // The host is down: keep retrying below.
    }
    setTimeout(connect, retry);
    retry = Math.min(retry * 2, 5000);
  }

  function connect(): void {
    if (denied) return;
    const wsUrl = new URL(`${base}/events`, location.href);
    wsUrl.protocol = wsUrl.protocol === 'https:' ? 'wss:' : 'ws:';
    if (token) wsUrl.searchParams.set('token', token);
    const ws = new WebSocket(wsUrl);
    socket = ws;
    ws.onopen = () => {
      retry = 500;
    };
    ws.onmessage = (m) => {
      const { event, payload } = JSON.parse(String(m.data)) as { event: EventName; payload: unknown };
      for (const l of listeners.get(event) ?? []) l(payload);
    };
    ws.onclose = () => {
      socket = null;
      void reconnectOrStop();
    };
  }

  const self: Client = {
    transport: 'http',
    async call(method, args) {
      try {
        const res = await fetch(`${base}/api/${method}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...tokenHeader(token) },
          body: JSON.stringify(args ?? {}),
        });
        if (res.status === 401) deny();
        return envelope(res);
      } catch (err) {
        return failure(`cannot reach the workbench host: ${(err as Error).message}`);
      }
    },
    onDenied(listener) {
      deniedListeners.add(listener);
      if (denied) listener();
      return () => deniedListeners.delete(listener);
    },
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as (p: unknown) => void);
      if (!socket) connect();
      return () => set.delete(listener as (p: unknown) => void);
    },
    upload(file, onProgress) {
      // XMLHttpRequest, not fetch: only XHR reports upload progress.
      return new Promise((resolve) => {
        const xhr = new XMLHttpRequest();
        xhr.open('POST', `${base}/upload?name=${encodeURIComponent(file.name)}`);
        if (token) xhr.setRequestHeader('x-workbench-token', token);
        xhr.setRequestHeader('content-type', 'text/csv');
        xhr.upload.onprogress = (e) => onProgress?.(e.loaded, e.total || file.size);
        xhr.onload = () => {
          try {
            resolve(JSON.parse(xhr.responseText) as Result<{ path: string }>);
          } catch {
            resolve(failure(`upload failed: ${xhr.status} ${xhr.statusText}`, 'internal', 'file'));
          }
        };
        xhr.onerror = () => resolve(failure('upload failed: the host did not answer', 'internal', 'file'));
        xhr.send(file);
      });
    },
    async saveText(fileName, text) {
      saveText(fileName, text);
      return { ok: true, value: { message: `Downloaded ${fileName}` } };
    },
    async bundleRuns(ids, withData) {
      try {
        const res = await fetch(`${base}/download/bundle?runs=${ids.join(',')}&data=${withData ? 1 : 0}`, {
          headers: tokenHeader(token),
        });
        if (!res.ok) return envelope(res);
        saveBlob(bundleName(ids), await res.blob());
        return { ok: true, value: { message: `Downloaded ${bundleName(ids)}` } };
      } catch (err) {
        return failure(`cannot reach the workbench host: ${(err as Error).message}`);
      }
    },
    async importBundle(file) {
      if (!file) return failure('choose a .rnnwb file', 'bad_input', 'file');
      const up = await self.upload(file);
      if (!up.ok) return up;
      return self.call('runs.importBundle', { path: up.value.path });
    },
    async predictFile(runId, file) {
      if (!file) return failure('choose a CSV file', 'bad_input', 'file');
      const up = await self.upload(file);
      if (!up.ok) return up;
      const r = await self.call('runs.predict', { id: runId, csvPath: up.value.path });
      return r.ok ? { ok: true, value: { forecast: r.value, file: file.name } } : r;
    },
    async exportModel(runId, checkpoint, format = 'tfjs') {
      try {
        const res = await fetch(`${base}/download/export?run=${runId}&checkpoint=${checkpoint}&format=${format}`, {
          headers: tokenHeader(token),
        });
        if (!res.ok) return envelope(res);
        const name =
          /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? `run-${runId}-model.zip`;
        saveBlob(name, await res.blob());
        return { ok: true, value: { message: `Downloaded ${name}` } };
      } catch (err) {
        return failure(`cannot reach the workbench host: ${(err as Error).message}`);
      }
    },
  };
  return self;
}

let client: Client | null = null;

/** The client for this page: the preload bridge when present, HTTP otherwise. */
export function getClient(): Client {
  client ??= window.workbench ? bridgeClient(window.workbench) : httpClient(takeToken());
  return client;
}

/** Tests inject their own client. */
export function setClient(c: Client | null): void {
  client = c;
}
