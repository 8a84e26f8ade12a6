// What every UI talks to: the service in-process (CLI), over HTTP + WebSocket (browser mode) or
// over Electron IPC (desktop). All three implement this one interface.
import type { Args, EventMap, EventName, MethodName, Output, Result } from './contract.js';

export interface Api {
  call<M extends MethodName>(method: M, args: Args<M>): Promise<Result<Output<M>>>;
  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): () => void;
}
