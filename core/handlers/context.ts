// What every handler module gets from the service: the database, the job registry and the event
// emitter, plus the handler types that tie each method to its contract arguments and result.
import {
  ServiceError,
  type EventMap,
  type EventName,
  type MethodName,
  type Output,
  type ParsedArgs,
  type RunRow,
} from '../contract.js';
import type { JobRegistry } from '../jobs-registry.js';
import { toRunRows } from '../run-view.js';
import * as runsDb from '../../db/runs.js';
import type { DB } from '../../db/open.js';

export type Emit = <E extends EventName>(event: E, payload: EventMap[E]) => void;

export interface ServiceContext {
  readonly db: DB;
  readonly dbPath: string;
  readonly jobs: JobRegistry;
  readonly emit: Emit;
}

export type Handler<M extends MethodName> = (args: ParsedArgs<M>) => Promise<Output<M>> | Output<M>;

/** The handlers of one method group, e.g. `Handlers<'datasets.list' | 'datasets.get'>`. */
export type Handlers<M extends MethodName> = { [K in M]: Handler<K> };

/** The contract's row for one run; `not_found` when there is none. */
export function getRunRow(db: DB, id: number): RunRow {
  const r = runsDb.getRun(db, id);
  if (!r) throw new ServiceError('not_found', `run ${id} does not exist`, 'id');
  return toRunRows(db, [r])[0]!;
}
