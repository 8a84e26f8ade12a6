// Run events as core/service publishes them to every host (`on(event, listener)` → unsubscribe),
// for the tests of what main does with them (notifications, taskbar progress, power save).
import { EventEmitter } from 'node:events';
import type { EventMap, EventName, RunProgress } from '../../core/contract.js';

export function runEvents() {
  const bus = new EventEmitter();
  return {
    on: <E extends EventName>(event: E, listener: (p: EventMap[E]) => void) => {
      bus.on(event, listener);
      return () => void bus.off(event, listener);
    },
    emit: <E extends EventName>(event: E, payload: EventMap[E]) => bus.emit(event, payload),
  };
}

export function progressEvent(runId: number, epoch: number, batch: number, epochs = 4, batches = 10): RunProgress {
  return { runId, epoch, epochs, batch, batches, loss: 0.1, samplesPerSec: 1000, etaSeconds: 5 };
}
