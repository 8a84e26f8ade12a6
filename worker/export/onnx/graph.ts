// A small ONNX graph builder: named nodes, float/int64 initializers and unique value names. The
// model builders (recurrent.ts, head.ts, preprocess.ts) add nodes through it and pass value names
// along, so a step list (scaling, transforms, window normalisation) composes without knowing the
// steps before or after it.
import { DATA_TYPE, type AttributeObject, type NodeObject, type TensorObject } from './proto.js';

export type Attr = number | string | number[] | { floats: number[] } | { float: number } | { strings: string[] };

function attribute(name: string, v: Attr): AttributeObject {
  if (typeof v === 'string') return { name, type: 'STRING', s: new TextEncoder().encode(v) };
  if (typeof v === 'number') return { name, type: 'INT', i: v };
  if (Array.isArray(v)) return { name, type: 'INTS', ints: v };
  if ('float' in v) return { name, type: 'FLOAT', f: v.float };
  if ('strings' in v) return { name, type: 'STRINGS', strings: v.strings.map((x) => new TextEncoder().encode(x)) };
  return { name, type: 'FLOATS', floats: v.floats };
}

export class Graph {
  readonly nodes: NodeObject[] = [];
  readonly initializers: TensorObject[] = [];
  private used = new Set<string>();

  /** A value name not used before, from a readable stem. */
  name(stem: string): string {
    let n = stem;
    for (let i = 1; this.used.has(n); i++) n = `${stem}_${i}`;
    this.used.add(n);
    return n;
  }

  /** Adds a float32 constant tensor (row-major `values` of shape `dims`); returns its name. */
  floats(stem: string, dims: number[], values: ArrayLike<number>): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (values.length !== size)
      throw new Error(`initializer ${stem}: ${values.length} values for shape [${dims.join(', ')}]`);
    const data = Float32Array.from(values);
    const name = this.name(stem);
    this.initializers.push({ name, dims, dataType: DATA_TYPE.FLOAT, rawData: new Uint8Array(data.buffer) });
    return name;
  }

  /** Adds an int64 constant tensor (shapes, axes, indices); returns its name. */
  ints(stem: string, values: number[]): string {
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    const name = this.name(stem);
    this.initializers.push({
      name,
      dims: [values.length],
      dataType: DATA_TYPE.INT64,
      rawData: new Uint8Array(data.buffer),
    });
    return name;
  }

  /** Adds a bool constant tensor (conditions for Where); returns its name. */
  bools(stem: string, values: boolean[]): string {
    const name = this.name(stem);
    this.initializers.push({
      name,
      dims: [values.length],
      dataType: DATA_TYPE.BOOL,
      rawData: Uint8Array.from(values, (v) => (v ? 1 : 0)),
    });
    return name;
  }

  /** Adds a node; returns its output names (`outputs` stems, made unique; '' keeps an optional output unused). */
  node(
    opType: string,
    inputs: string[],
    outputs: string[] = [opType.toLowerCase()],
    attrs: Record<string, Attr> = {},
  ): string[] {
    const out = outputs.map((o) => (o === '' ? '' : this.name(o)));
    this.nodes.push({
      name: this.name(`${opType}_node`),
      opType,
      input: inputs,
      output: out,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return out;
  }

  /** A one-output node; returns the output's name. */
  op(opType: string, inputs: string[], stem?: string, attrs: Record<string, Attr> = {}): string {
    return this.node(opType, inputs, [stem ?? opType.toLowerCase()], attrs)[0]!;
  }
}
