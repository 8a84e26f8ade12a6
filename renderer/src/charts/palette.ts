// Run colours that scale past any fixed palette: the first eight runs take the Okabe–Ito colours
// the rest of the app uses; later runs get hues stepped by the golden angle (137.5°) at two
// lightness levels, so neighbouring runs never look alike. The colour is a function of the run id
// alone: a run keeps its colour in every chart, group and page, whoever else is selected.
import { PALETTE } from './common.js';

const GOLDEN = 137.50776405003785;

/** The colour of run `id` (ids start at 1; any integer works). */
export function runColor(id: number): string {
  const n = Math.abs(Math.trunc(id));
  const i = n === 0 ? 0 : n - 1;
  if (i < PALETTE.length) return PALETTE[i]!;
  const k = i - PALETTE.length;
  const hue = (k * GOLDEN + 20) % 360;
  // Alternate lightness and chroma so hues that land close together still differ.
  const light = k % 2 === 0 ? 45 : 62;
  const sat = k % 3 === 0 ? 70 : 55;
  return hslHex(hue, sat, light);
}

/** HSL (degrees, percent, percent) as #rrggbb. */
export function hslHex(h: number, s: number, l: number): string {
  const sat = s / 100;
  const lig = l / 100;
  const a = sat * Math.min(lig, 1 - lig);
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    const c = lig - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(c * 255)
      .toString(16)
      .padStart(2, '0');
  };
  return `#${f(0)}${f(8)}${f(4)}`;
}
