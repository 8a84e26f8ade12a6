// Encodes an ONNX model with protobufjs and the official onnx.proto (copied from github.com/onnx/onnx,
// Apache-2.0, beside this file; scripts/copy-assets.mjs puts it beside the compiled file). The
// schema is parsed at run time, so the bytes always follow the published definition: nothing
// here encodes protobuf by hand.
import protobuf from 'protobufjs';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The plain-object form of onnx.ModelProto that protobufjs' `fromObject` accepts (the subset written here). */
export interface ModelObject {
  irVersion: number;
  opsetImport: { domain: string; version: number }[];
  producerName: string;
  producerVersion: string;
  docString?: string;
  graph: GraphObject;
  metadataProps: { key: string; value: string }[];
}

export interface GraphObject {
  name: string;
  node: NodeObject[];
  initializer: TensorObject[];
  input: ValueInfoObject[];
  output: ValueInfoObject[];
  docString?: string;
}

export interface NodeObject {
  name: string;
  opType: string;
  input: string[];
  output: string[];
  attribute: AttributeObject[];
}

/** AttributeProto: `type` is the AttributeType enum name (FLOAT, INT, STRING, FLOATS, INTS, STRINGS). */
export interface AttributeObject {
  name: string;
  type: 'FLOAT' | 'INT' | 'STRING' | 'FLOATS' | 'INTS' | 'STRINGS';
  f?: number;
  i?: number;
  s?: Uint8Array;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
}

/** TensorProto.DataType values (data_type is an int32 field in onnx.proto, not an enum field). */
export const DATA_TYPE = { FLOAT: 1, INT64: 7, BOOL: 9 } as const;

/** TensorProto: the values travel in raw_data (little-endian). */
export interface TensorObject {
  name: string;
  dims: number[];
  dataType: (typeof DATA_TYPE)[keyof typeof DATA_TYPE];
  rawData: Uint8Array;
}

export interface ValueInfoObject {
  name: string;
  docString?: string;
  type: { tensorType: { elemType: number; shape: { dim: ({ dimValue: number } | { dimParam: string })[] } } };
}

let modelType: protobuf.Type | null = null;

/** onnx.proto sits beside this module in the sources (worker/export/onnx) and in dist/. */
export function protoPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const p = join(here, 'onnx.proto');
  if (!existsSync(p))
    throw new Error(`onnx.proto is missing beside ${here} (the build copies it: scripts/copy-assets.mjs)`);
  return p;
}

function model(): protobuf.Type {
  modelType ??= protobuf.loadSync(protoPath()).lookupType('onnx.ModelProto');
  return modelType;
}

export function encodeModel(m: ModelObject): Uint8Array {
  const t = model();
  const msg = t.fromObject(m as unknown as Record<string, unknown>);
  const err = t.verify(msg);
  if (err) throw new Error(`invalid ONNX model: ${err}`);
  return t.encode(msg).finish();
}

/** Decodes a model back to a plain object (enums as names, int64 as numbers): for tests and inspection. */
export function decodeModel(bytes: Uint8Array): Record<string, unknown> {
  const t = model();
  return t.toObject(t.decode(bytes), { enums: String, longs: Number, bytes: Array }) as Record<string, unknown>;
}
