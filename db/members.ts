// The further networks of an ensemble run (`normalize: ensemble`, migration 011): each member is
// stored whole once trained, so resume, evaluation, predict and the exports never train it again.
import type { DB } from './open.js';
import { nowIso } from './time.js';

export interface MemberRecord {
  run_id: number;
  /** 1, 2, ...: the run's own network (its checkpoints) is member 0. */
  member: number;
  normalize: string;
  epoch: number;
  val_loss: number | null;
  val_mae: number | null;
  weight_specs: string;
  weights: Buffer;
  preprocessing: string;
  created_at: string;
}

export function saveMember(db: DB, m: Omit<MemberRecord, 'created_at'>): void {
  db.prepare(
    `INSERT OR REPLACE INTO run_members (run_id, member, normalize, epoch, val_loss, val_mae, weight_specs, weights, preprocessing, created_at)
     VALUES (@run_id, @member, @normalize, @epoch, @val_loss, @val_mae, @weight_specs, @weights, @preprocessing, @created_at)`,
  ).run({ ...m, created_at: nowIso() });
}

/** A run's members in order (none for a run of one network). */
export function loadMembers(db: DB, runId: number): MemberRecord[] {
  return db.prepare(`SELECT * FROM run_members WHERE run_id = ? ORDER BY member`).all(runId) as MemberRecord[];
}
