// The two decisions made from the start of the file: which delimiter it uses, and what its
// columns are called (blank and repeated header names get a usable, reported replacement).

const CANDIDATES = [44 /* , */, 59 /* ; */, 9 /* tab */, 124 /* | */];

/**
 * Picks the delimiter from the first lines (quote-aware): the candidate found the same number of
 * times on every line, most often; ties go in the order `,` `;` tab `|`. A file with none of them
 * is one column, read with `,`.
 */
export function detectDelimiter(b: Uint8Array, s: number, e: number, complete: boolean): number {
  const lines: number[][] = [];
  let counts = [0, 0, 0, 0];
  let inQuote = false;
  let i = s;
  let lineStart = s;
  while (i < e && lines.length < 50) {
    const c = b[i]!;
    if (c === 34) inQuote = !inQuote;
    else if (!inQuote) {
      if (c === 10 || c === 13) {
        if (i > lineStart) lines.push(counts);
        counts = [0, 0, 0, 0];
        if (c === 13 && b[i + 1] === 10) i++;
        lineStart = i + 1;
      } else {
        const k = CANDIDATES.indexOf(c);
        if (k >= 0) counts[k]!++;
      }
    }
    i++;
  }
  // The last line only counts when it is known to be whole.
  if (complete && i >= e && e > lineStart && !inQuote) lines.push(counts);
  if (lines.length === 0) lines.push(counts);
  let best = 0;
  let bestScore = 0;
  for (let k = 0; k < CANDIDATES.length; k++) {
    const first = lines[0]![k]!;
    if (first === 0) continue;
    const consistent = lines.every((l) => l[k] === first);
    // Consistent counts beat inconsistent ones; more fields beat fewer.
    const score = (consistent ? 1_000_000 : 0) + first;
    if (score > bestScore) {
      bestScore = score;
      best = k;
    }
  }
  return bestScore === 0 ? 44 : CANDIDATES[best]!;
}

/**
 * Header names made usable: trimmed, a blank name becomes `column_<n>` (1-based position), a
 * repeated one gets `_2`, `_3`, ... Each change is described in `warnings`.
 */
export function fixHeaderNames(raw: string[], warnings: string[]): string[] {
  const names: string[] = [];
  const taken = new Set<string>();
  const all = new Set(raw.map((r) => r.trim()));
  raw.forEach((r, i) => {
    let name = r.trim();
    if (name === '') {
      name = `column_${i + 1}`;
      for (let k = 2; all.has(name) || taken.has(name); k++) name = `column_${i + 1}_${k}`;
      warnings.push(`column ${i + 1} has no name in the header; it is called "${name}"`);
    } else if (taken.has(name)) {
      let k = 2;
      while (taken.has(`${name}_${k}`) || all.has(`${name}_${k}`)) k++;
      const fixed = `${name}_${k}`;
      warnings.push(`column ${i + 1} repeats the header name "${name}"; it is called "${fixed}"`);
      name = fixed;
    }
    taken.add(name);
    names.push(name);
  });
  return names;
}

/** Whether bytes s..e hold only spaces and tabs (a blank line is skipped, not a row of empty cells). */
export function isBlank(b: Buffer, s: number, e: number): boolean {
  for (let i = s; i < e; i++) if (b[i] !== 32 && b[i] !== 9) return false;
  return true;
}
