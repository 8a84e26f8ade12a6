// The runs table's query language, pure: `units > 32 and cell = gru and test.mase < 1`.
//   query   := or
//   or      := and ('or' and)*
//   and     := not ('and' not)*
//   not     := 'not' not | '(' or ')' | field op value
//   op      := = == != < <= > >= ~          (~: contains, case-insensitive)
//   value   := number | 'quoted' | "quoted" | bare word (gru, simpleRNN, 2026-01-31)
// Field names are resolved by the caller (runsTable.ts: aliases, RunSpec paths, metrics), so this
// module knows nothing of runs. A query without any operator is a plain text search instead, so
// typing a run's name keeps working. Errors name the column (1-based) where they were found.

export type FieldValue = number | string | boolean | null | undefined | readonly string[];
export type Resolve<T> = (item: T, field: string) => FieldValue;
export type Op = '=' | '!=' | '<' | '<=' | '>' | '>=' | '~';

export type QueryNode =
  | { kind: 'and' | 'or'; left: QueryNode; right: QueryNode }
  | { kind: 'not'; node: QueryNode }
  | { kind: 'cmp'; field: string; op: Op; value: string | number; raw: string; pos: number };

export class QueryError extends Error {
  constructor(
    message: string,
    /** 1-based column of the offending text. */
    readonly column: number,
  ) {
    super(`${message} (column ${column})`);
    this.name = 'QueryError';
  }
}

/** Shown as the filter box's tooltip. */
export const QUERY_SYNTAX = [
  'Filter with a query, or type words to search names, tags and notes.',
  'Fields: any RunSpec path (model.cell, train.learningRate, model.layers.0.units), short names',
  '(cell, units, layers, lookback, horizon, lr, batch, epochs, seed, dataset, status, name, tag, notes,',
  'created, duration, params) and metrics (val_loss = best, val_loss.last, test.mase, test.rmse, …).',
  'Operators: = != < <= > >= and ~ (contains); combine with and, or, not and parentheses.',
  'Example: units > 32 and cell = gru and test.mase < 1',
].join('\n');

interface Token {
  type: 'word' | 'string' | 'op' | '(' | ')' | 'end';
  text: string;
  pos: number;
}

const OPS = ['>=', '<=', '!=', '==', '=', '<', '>', '~'];
const WORD_STOP = /[\s()<>=!~"']/;

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const pos = i + 1;
    if (c === '(' || c === ')') {
      out.push({ type: c, text: c, pos });
      i++;
      continue;
    }
    const op = OPS.find((o) => text.startsWith(o, i));
    if (op) {
      out.push({ type: 'op', text: op === '==' ? '=' : op, pos });
      i += op.length;
      continue;
    }
    if (c === '"' || c === "'") {
      const end = text.indexOf(c, i + 1);
      if (end < 0) throw new QueryError(`unclosed quote ${c}`, pos);
      out.push({ type: 'string', text: text.slice(i + 1, end), pos });
      i = end + 1;
      continue;
    }
    if (c === '!') throw new QueryError(`unexpected "!" (did you mean "!="?)`, pos);
    let j = i;
    while (j < text.length && !WORD_STOP.test(text[j]!)) j++;
    out.push({ type: 'word', text: text.slice(i, j), pos });
    i = j;
  }
  out.push({ type: 'end', text: '', pos: text.length + 1 });
  return out;
}

const isKeyword = (t: Token, k: string) => t.type === 'word' && t.text.toLowerCase() === k;
const describe = (t: Token) => (t.type === 'end' ? 'the end of the query' : `"${t.text}"`);

/** True when the text uses the query language (an operator or parentheses), not plain words. */
export function isStructured(text: string): boolean {
  try {
    return tokenize(text).some((t) => t.type === 'op' || t.type === '(');
  } catch {
    return true; // an unclosed quote: let parseQuery report it
  }
}

/** Parses a query; throws QueryError with the column of the problem. */
export function parseQuery(text: string): QueryNode {
  const toks = tokenize(text);
  let k = 0;
  const peek = () => toks[k]!;
  const next = () => toks[k++]!;

  function orExpr(): QueryNode {
    let left = andExpr();
    while (isKeyword(peek(), 'or')) {
      next();
      left = { kind: 'or', left, right: andExpr() };
    }
    return left;
  }
  function andExpr(): QueryNode {
    let left = notExpr();
    while (isKeyword(peek(), 'and')) {
      next();
      left = { kind: 'and', left, right: notExpr() };
    }
    return left;
  }
  function notExpr(): QueryNode {
    const t = peek();
    if (isKeyword(t, 'not')) {
      next();
      return { kind: 'not', node: notExpr() };
    }
    if (t.type === '(') {
      next();
      const inner = orExpr();
      const close = next();
      if (close.type !== ')')
        throw new QueryError(`expected ")" to close the "(" at column ${t.pos}, found ${describe(close)}`, close.pos);
      return inner;
    }
    return comparison();
  }
  function comparison(): QueryNode {
    const field = next();
    if (field.type !== 'word' || ['and', 'or', 'not'].includes(field.text.toLowerCase())) {
      throw new QueryError(`expected a field name, found ${describe(field)}`, field.pos);
    }
    const op = next();
    if (op.type !== 'op') {
      throw new QueryError(
        `expected an operator (= != < <= > >= ~) after "${field.text}", found ${describe(op)}`,
        op.pos,
      );
    }
    const v = next();
    if (v.type !== 'word' && v.type !== 'string') {
      throw new QueryError(`expected a value after "${field.text} ${op.text}", found ${describe(v)}`, v.pos);
    }
    const num = v.type === 'word' && v.text.trim() !== '' ? Number(v.text) : NaN;
    return {
      kind: 'cmp',
      field: field.text,
      op: op.text as Op,
      value: Number.isFinite(num) ? num : v.text,
      raw: v.text,
      pos: field.pos,
    };
  }

  const node = orExpr();
  const rest = peek();
  if (rest.type !== 'end') {
    const hint = rest.type === ')' ? 'a ")" without its "("' : `${describe(rest)}; join conditions with and / or`;
    throw new QueryError(`unexpected ${hint}`, rest.pos);
  }
  return node;
}

/** Every comparison's field, in order (for checking them against the known fields). */
export function queryFields(node: QueryNode): { field: string; pos: number }[] {
  if (node.kind === 'cmp') return [{ field: node.field, pos: node.pos }];
  if (node.kind === 'not') return queryFields(node.node);
  return [...queryFields(node.left), ...queryFields(node.right)];
}

function compareOne(actual: number | string | boolean, op: Op, value: string | number, raw: string): boolean {
  if (op === '~') return String(actual).toLowerCase().includes(raw.toLowerCase());
  let c: number;
  if (typeof actual === 'number' && typeof value === 'number') c = actual - value;
  else if (op === '=' || op === '!=') c = String(actual).toLowerCase() === raw.toLowerCase() ? 0 : 1;
  else c = String(actual).localeCompare(raw);
  switch (op) {
    case '=':
      return c === 0;
    case '!=':
      return c !== 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
  }
}

/** Evaluates a parsed query for one item. A missing value matches only `!=`; a list matches when any element does. */
export function evaluate<T>(node: QueryNode, item: T, resolve: Resolve<T>): boolean {
  switch (node.kind) {
    case 'and':
      return evaluate(node.left, item, resolve) && evaluate(node.right, item, resolve);
    case 'or':
      return evaluate(node.left, item, resolve) || evaluate(node.right, item, resolve);
    case 'not':
      return !evaluate(node.node, item, resolve);
    case 'cmp': {
      const v = resolve(item, node.field);
      if (v === null || v === undefined) return node.op === '!=';
      if (Array.isArray(v)) {
        const any = v.some((x) => compareOne(x, node.op === '!=' ? '=' : node.op, node.value, node.raw));
        return node.op === '!=' ? !any : any;
      }
      return compareOne(v as number | string | boolean, node.op, node.value, node.raw);
    }
  }
}

export type CompiledQuery<T> =
  { ok: true; structured: boolean; test: (item: T) => boolean } | { ok: false; error: QueryError };

/**
 * Compiles the filter box's text: the query language when it uses an operator, else plain words
 * matched by `text`. `known(field)` says whether a field exists, so a typo is an error with its
 * column rather than a silently empty table.
 */
export function compileQuery<T>(
  text: string,
  resolve: Resolve<T>,
  known: (field: string) => boolean,
  textMatch: (item: T, words: string[]) => boolean,
): CompiledQuery<T> {
  if (!isStructured(text)) {
    const words = text.toLowerCase().split(/\s+/).filter(Boolean);
    return { ok: true, structured: false, test: (item) => words.length === 0 || textMatch(item, words) };
  }
  try {
    const node = parseQuery(text);
    for (const f of queryFields(node)) {
      if (!known(f.field)) throw new QueryError(`unknown field "${f.field}"`, f.pos);
    }
    return { ok: true, structured: true, test: (item) => evaluate(node, item, resolve) };
  } catch (e) {
    if (e instanceof QueryError) return { ok: false, error: e };
    throw e;
  }
}
