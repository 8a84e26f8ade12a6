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
  /** Its share of the forecast (the run's own network has 1 − the members' sum); null: equal shares. */
  weight: number | null;
  created_at: string;
}

export function saveMember(db: DB, m: Omit<MemberRecord, 'created_at' | 'weight'>): void {
  db.prepare(
    `INSERT OR REPLACE INTO run_members (run_id, member, normalize, epoch, val_loss, val_mae, weight_specs, weights, preprocessing, created_at)
     VALUES (@run_id, @member, @normalize, @epoch, @val_loss, @val_mae, @weight_specs, @weights, @preprocessing, @created_at)`,
  ).run({ ...m, created_at: nowIso() });
}

/** A run's members in order (none for a run of one network). */
export function loadMembers(db: DB, runId: number): MemberRecord[] {
  return db.prepare(`SELECT * FROM run_members WHERE run_id = ? ORDER BY member`).all(runId) as MemberRecord[];
}

/** Sets each member's share of the forecast (by member number), when the run's test evaluation fixes them. */
export function setMemberWeights(db: DB, runId: number, weights: Map<number, number>): void {
  const stmt = db.prepare(`UPDATE run_members SET weight = ? WHERE run_id = ? AND member = ?`);
  for (const [member, w] of weights) stmt.run(w, runId, member);
}

/** The shares of the run's own network and of each member (in `members` order): stored, or equal. */
export function ensembleWeights(members: Pick<MemberRecord, 'weight'>[]): number[] {
  if (members.some((m) => m.weight === null))
    return Array.from({ length: members.length + 1 }, () => 1 / (members.length + 1));
  const ws = members.map((m) => m.weight!);
  return [1 - ws.reduce((a, b) => a + b, 0), ...ws];
}
