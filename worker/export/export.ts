// Exports a checkpoint as a standard TF.js layers model (model.json + weights.bin) or as one ONNX
// file (model.onnx, see ./onnx/), plus preprocessing.json, the manifest a user needs to feed it:
// columns, lookback, horizon, scaler parameters and class labels. A fused model is rebuilt with
// tf.layers (same weight layout), so the files load anywhere TF.js (or ONNX Runtime) runs, with no
// code of ours.
import type * as TF from '@tensorflow/tfjs';
import { tf } from '../tf.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ServiceError, parseSpec, type ExportResult, type ParsedArgs } from '../../core/contract.js';
import { openDb } from '../../db/open.js';
import { getRun } from '../../db/runs.js';
import { loadCheckpoint, recordExport } from '../../db/checkpoints.js';
import type { Preprocessing } from '../train/trainer.js';
import { combineBlock } from '../train/preprocessing.js';
import { ONNX_FILES, writeOnnx } from './onnx/write.js';
import { ensembleBlock, storedMembers, storedNetwork, type ExportMember } from './member.js';
import { commitTarget, discardTarget, openTarget, type ExportTarget } from './target.js';

/** The files of an export, in the order they move into place: model.json (read first by a loader) last. */
const FILES = ['preprocessing.json', 'weights.bin', 'model.json'] as const;
/** tfjs (model.json + weights.bin) or onnx (model.onnx), both with preprocessing.json. */
type ExportFormat = ParsedArgs<'runs.export'>['format'];
/** What the result lists, per format. */
const LISTED: Record<ExportFormat, string[]> = {
  tfjs: ['model.json', 'weights.bin', 'preprocessing.json'],
  onnx: ['model.onnx', 'preprocessing.json'],
};

export async function exportRun(
  dbPath: string,
  runId: number,
  checkpoint: 'best' | 'last',
  outDir: string,
  opts: { force?: boolean; format?: ExportFormat } = {},
): Promise<ExportResult> {
  await tf.setBackend('cpu');
  const db = openDb(dbPath);
  let target: ExportTarget | null = null;
  try {
    const run = getRun(db, runId);
    if (!run) throw new ServiceError('not_found', `run ${runId} does not exist`, 'id');
    const cp = loadCheckpoint(db, runId, checkpoint);
    if (!cp)
      throw new ServiceError(
        'conflict',
        `run ${runId} has no ${checkpoint} checkpoint yet (status ${run.status})`,
        'checkpoint',
      );
    const spec = parseSpec(JSON.parse(run.spec));
    const stored = JSON.parse(cp.preprocessing) as Preprocessing;
    const model = storedNetwork(spec, stored, cp);
    // The network is exported; a run that combines it with ETS says so in preprocessing.json.
    const prep: Preprocessing = { ...stored, ...combineBlock(spec) };
    const members = storedMembers(db, runId, spec);
    const format = opts.format ?? 'tfjs';
    const memberFiles = format === 'onnx' ? [] : members.flatMap((m) => [m.file.weights, m.file.model]);
    // Members before the run's own model.json: a loader that reads model.json finds them in place.
    const files = format === 'onnx' ? ONNX_FILES : [...FILES.slice(0, 2), ...memberFiles, FILES[2]];
    target = openTarget(outDir, files, opts.force ?? false);
    const dir = target.tmp;
    const runInfo = { id: runId, name: run.name, checkpoint, epoch: cp.epoch, spec };
    try {
      if (format === 'onnx') writeOnnx(dir, model, prep, runInfo, members);
      else await saveTfjs(model, dir, prep, runInfo, members);
    } finally {
      model.dispose();
      for (const m of members) m.model.dispose();
    }
    commitTarget(target, files);
    const done = target.dir;
    target = null;
    recordExport(db, runId, checkpoint, done);
    const listed = format === 'onnx' ? LISTED.onnx : [...LISTED.tfjs, ...memberFiles.toReversed()];
    return { dir: done, files: listed, checkpoint, epoch: cp.epoch };
  } catch (e) {
    if (target) discardTarget(target);
    throw e;
  } finally {
    db.close();
  }
}

async function saveTfjs(
  model: TF.LayersModel,
  dir: string,
  prep: Preprocessing,
  run: object,
  members: ExportMember[],
): Promise<void> {
  for (const m of members) await saveLayers(m.model, dir, m.file);
  await saveLayers(model, dir, { model: 'model.json', weights: 'weights.bin' });
  const ensemble = ensembleBlock(members, true);
  writeFileSync(
    join(dir, 'preprocessing.json'),
    JSON.stringify({ ...prep, ...(ensemble ? { ensemble } : {}), run }, null, 2),
  );
}

/** One tf.layers model as its model JSON (whose manifest names the weights file) and weights file. */
async function saveLayers(model: TF.LayersModel, dir: string, file: { model: string; weights: string }): Promise<void> {
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightsManifest = [{ paths: [file.weights], weights: artifacts.weightSpecs ?? [] }];
      writeFileSync(
        join(dir, file.model),
        JSON.stringify(
          {
            modelTopology: artifacts.modelTopology,
            format: 'layers-model',
            generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
            convertedBy: null,
            weightsManifest,
          },
          null,
          1,
        ),
      );
      const data = artifacts.weightData as ArrayBuffer;
      writeFileSync(join(dir, file.weights), Buffer.from(data));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}
