// The forecast battery's real series, read at run time from packages installed on this machine
// (nothing of theirs is committed):
// - Debian `python3-statsmodels`: CSV files under statsmodels/datasets/ (public domain);
// - Debian `r-base-core`: R's `datasets` package, read through `Rscript` (R's data files are
//   binary, so R itself writes them out);
// - Debian `r-cran-forecast` and `r-cran-tseries` (optional): more real series of the kinds users
//   bring (daily river flow and temperature, half-hourly electricity demand, daily gold prices with
//   gaps, monthly interest rates, long yearly price indices).
// A missing package leaves its series out with a line saying how to install it.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { businessDate, dayDate, monthDate, periodDate, toCsv, type BenchSeries } from './forecast-series.js';

const STATSMODELS_ROOTS = [
  process.env.STATSMODELS_DATASETS ?? '',
  '/usr/lib/python3/dist-packages/statsmodels/datasets',
  '/usr/local/lib/python3/dist-packages/statsmodels/datasets',
].filter(Boolean);

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Rows of a small, quote-free-enough CSV (the statsmodels files quote only their headers). */
function rows(text: string): string[][] {
  return text
    .replace(/^\uFEFF/, '')
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((l) => l.split(',').map((c) => c.replace(/"/g, '')));
}

function statsmodelsSeries(root: string): BenchSeries[] {
  const read = (f: string) => readFileSync(join(root, f), 'utf8');
  const sm = (name: string, freq: string, note: string, csv: () => string): BenchSeries => ({
    name,
    source: 'statsmodels',
    freq,
    note,
    target: 'value',
    csv,
  });
  const macro = (col: number) => () => {
    const r = rows(read('macrodata/macrodata.csv'));
    return toCsv(
      r.map((x) => monthDate(Number(x[0]), 3 * (Number(x[1]) - 1) + 1, 0)),
      r.map((x) => Number(x[col])),
    );
  };
  return [
    sm('sm-co2-weekly', 'weekly', 'Mauna Loa CO2, weekly, 59 gaps, trend + season', () => {
      const lines = ['time,value'];
      for (const [d, v] of rows(read('co2/co2.csv')))
        lines.push(`${d!.slice(0, 4)}-${d!.slice(4, 6)}-${d!.slice(6, 8)},${v ?? ''}`);
      return lines.join('\n') + '\n';
    }),
    sm('sm-elnino', 'monthly', 'Pacific sea temperature, season, no trend', () => {
      const dates: string[] = [];
      const vals: number[] = [];
      for (const r of rows(read('elnino/elnino.csv'))) {
        for (let m = 0; m < 12; m++) {
          dates.push(monthDate(Number(r[0]), m + 1, 0));
          vals.push(Number(r[m + 1]));
        }
      }
      return toCsv(dates, vals);
    }),
    sm('sm-nile', 'yearly', 'Nile flow 1871-1970, level shift', () => {
      const r = rows(read('nile/nile.csv'));
      return toCsv(
        r.map((x) => `${x[0]}-01-01`),
        r.map((x) => Number(x[1])),
      );
    }),
    sm('sm-sunspots', 'yearly', 'sunspots 1700-2008, ~11-year cycle', () => {
      const r = rows(read('sunspots/sunspots.csv'));
      return toCsv(
        r.map((x) => `${x[0]}-01-01`),
        r.map((x) => Number(x[1])),
      );
    }),
    sm('sm-realgdp', 'quarterly', 'US real GDP, trend', macro(2)),
    sm('sm-unemp', 'quarterly', 'US unemployment rate, cycles', macro(10)),
    sm('sm-elec-equip', 'monthly', 'EU electrical equipment orders, season', () => {
      const r = rows(read('elec_equip/elec_equip.csv'));
      return toCsv(
        r.map((x) => {
          const [m, , y] = x[0]!.split('-');
          return monthDate(Number(y), MONTHS.indexOf(m!) + 1, 0);
        }),
        r.map((x) => Number(x[1])),
      );
    }),
  ];
}

/** R ts objects: name in R, bench name, note. */
const R_SERIES: [string, string, string][] = [
  ['AirPassengers', 'r-airpassengers', 'airline passengers, trend x season'],
  ['co2', 'r-co2', 'Mauna Loa CO2 monthly, trend + season'],
  ['nottem', 'r-nottem', 'Nottingham temperature, season only'],
  ['USAccDeaths', 'r-usaccdeaths', 'US accidental deaths, season, 72 rows'],
  ['UKDriverDeaths', 'r-ukdriverdeaths', 'UK driver deaths, season + level shift'],
  ['sunspot.month', 'r-sunspot-month', 'monthly sunspots 1749-1983, long cycle'],
  ['UKgas', 'r-ukgas', 'UK gas, quarterly, trend x season'],
  ['JohnsonJohnson', 'r-jj', 'J&J earnings, quarterly, exponential trend'],
  ['austres', 'r-austres', 'Australian residents, quarterly, smooth trend'],
  ['presidents', 'r-presidents', 'approval ratings, quarterly, with gaps'],
  ['lynx', 'r-lynx', 'lynx trappings, yearly, ~10-year cycle'],
  ['LakeHuron', 'r-lakehuron', 'Lake Huron level, yearly'],
  ['nhtemp', 'r-nhtemp', 'New Haven temperature, yearly, 60 rows'],
  ['discoveries', 'r-discoveries', 'discoveries per year, counts'],
  ['WWWusage', 'r-wwwusage', 'users per minute, 100 rows'],
  ['ldeaths', 'r-ldeaths', 'UK lung disease deaths, monthly, season, 72 rows'],
];

/** One line per R series: name, frequency, start year, start period, values ('NA' for missing). */
function rDump(names: string[]): Map<string, { freq: number; year: number; period: number; values: number[] }> | null {
  const code =
    `for (nm in c(${names.map((n) => `"${n}"`).join(',')})) { x <- get(nm); ` +
    `cat(nm, frequency(x), start(x)[1], start(x)[2], paste(as.numeric(x), collapse=" "), sep="\\t"); cat("\\n") }; ` +
    `x <- EuStockMarkets; for (c in colnames(x)) { cat("EU", c, paste(as.numeric(x[, c]), collapse=" "), sep="\\t"); cat("\\n") }; ` +
    `for (c in c("Temp", "Ozone")) { cat("AQ", c, paste(airquality[[c]], collapse=" "), sep="\\t"); cat("\\n") }`;
  const r = spawnSync('Rscript', ['-e', code], { encoding: 'utf8' });
  if (r.status !== 0 || r.error) return null;
  const out = new Map<string, { freq: number; year: number; period: number; values: number[] }>();
  for (const line of r.stdout.trim().split('\n')) {
    const f = line.split('\t');
    const parse = (s: string) => s.split(' ').map((v) => (v === 'NA' ? NaN : Number(v)));
    if (f[0] === 'EU' || f[0] === 'AQ')
      out.set(`${f[0]}:${f[1]}`, { freq: 0, year: 0, period: 0, values: parse(f[2]!) });
    else out.set(f[0]!, { freq: Number(f[1]), year: Number(f[2]), period: Number(f[3]), values: parse(f[4]!) });
  }
  return out;
}

const FREQ_NAMES: Record<number, string> = { 12: 'monthly', 4: 'quarterly', 1: 'yearly' };

function rSeries(): BenchSeries[] {
  const dump = rDump(R_SERIES.map(([r]) => r));
  if (!dump) return [];
  const out: BenchSeries[] = [];
  for (const [rName, name, note] of R_SERIES) {
    const s = dump.get(rName)!;
    const minutes = rName === 'WWWusage';
    const dates = s.values.map((_, i) =>
      minutes
        ? new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString().slice(0, 19)
        : periodDate(s.freq, s.year, s.period, i),
    );
    out.push({
      name,
      source: 'R',
      freq: minutes ? 'minutes' : FREQ_NAMES[s.freq]!,
      note,
      target: 'value',
      csv: () => toCsv(dates, s.values).replace(/,NaN$/gm, ','),
    });
  }
  // Daily weather: New York, May to September 1973 (airquality: maximum temperature, and ozone with gaps).
  for (const [col, name, note] of [
    ['Temp', 'r-airquality-temp', 'New York daily maximum temperature, May-Sep 1973, 153 rows'],
    ['Ozone', 'r-airquality-ozone', 'New York daily ozone, May-Sep 1973, 37 gaps'],
  ] as const) {
    const v = dump.get(`AQ:${col}`)!.values;
    const dates = v.map((_, i) => new Date(Date.UTC(1973, 4, 1 + i)).toISOString().slice(0, 10));
    out.push({
      name,
      source: 'R',
      freq: 'daily',
      note,
      target: 'value',
      csv: () => toCsv(dates, v).replace(/,NaN$/gm, ','),
    });
  }
  // Four stock indices in long format, every 5th business day (weekly closes).
  out.push({
    name: 'r-eustock-long',
    source: 'R',
    freq: 'weekly',
    note: 'DAX/SMI/CAC/FTSE weekly closes, long format',
    target: 'close',
    csv: () => {
      const lines = ['date,index,close'];
      for (const c of ['DAX', 'SMI', 'CAC', 'FTSE']) {
        const v = dump.get(`EU:${c}`)!.values;
        for (let i = 0; i < v.length; i += 5) lines.push(`${businessDate('1991-07-01', i)},${c},${v[i]}`);
      }
      return lines.join('\n') + '\n';
    },
  });
  return out;
}

/** Series from R packages beyond `datasets`: package, R expression, bench name, frequency, first date, note. */
const R_PACKAGE_SERIES: [string, string, string, string, string, string][] = [
  ['forecast', 'gas', 'r-gas', 'monthly', '1956-01', 'Australian gas production, monthly, trend x season'],
  ['forecast', 'woolyrnq', 'r-woolyrnq', 'quarterly', '1965-01', 'Australian woollen yarn, quarterly, season'],
  ['forecast', 'wineind', 'r-wineind', 'monthly', '1980-01', 'Australian wine sales, monthly, season'],
  ['forecast', 'gold', 'r-gold', 'business-daily', '1985-01-01', 'daily gold price, 34 gaps'],
  ['forecast', 'taylor', 'r-taylor', 'half-hourly', '2000-06-05', 'half-hourly electricity demand, 12 weeks'],
  ['tseries', 'ice.river[, "temp"]', 'r-ice-temp', 'daily', '1972-01-01', 'daily temperature, Iceland, 3 years'],
  ['tseries', 'ice.river[, "flow.jok"]', 'r-ice-flow', 'daily', '1972-01-01', 'daily river flow, Jokulsa, 3 years'],
  ['tseries', 'bev', 'r-bev', 'yearly', '1500', 'Beveridge wheat price index, 1500-1869'],
  ['tseries', 'na.omit(NelPlo[, "cpi"])', 'r-nelplo-cpi', 'yearly', '', 'US consumer prices, yearly, from 1860'],
  ['tseries', 'tcm[, "tcm10y"]', 'r-tcm10y', 'monthly', '1953-04', '10-year US treasury yield, monthly'],
];

function packageDate(freq: string, start: string, i: number): string {
  if (freq === 'monthly') return monthDate(Number(start.slice(0, 4)), Number(start.slice(5, 7)), i);
  if (freq === 'quarterly') return monthDate(Number(start.slice(0, 4)), Number(start.slice(5, 7)), 3 * i);
  if (freq === 'yearly') return `${Number(start) + i}-01-01`;
  if (freq === 'daily') return dayDate(start, i);
  if (freq === 'business-daily') return businessDate(start, i);
  return new Date(Date.parse(`${start}T00:00:00Z`) + i * 1_800_000).toISOString().slice(0, 19);
}

function rPackageSeries(missing: string[]): BenchSeries[] {
  const out: BenchSeries[] = [];
  for (const pkg of [...new Set(R_PACKAGE_SERIES.map(([p]) => p))]) {
    const list = R_PACKAGE_SERIES.filter(([p]) => p === pkg);
    const code =
      `suppressMessages(library(${pkg})); ` +
      list
        .map(([, expr], k) => {
          const base = /([A-Za-z][A-Za-z.]*)(?=\[|\)|$)/.exec(expr)![1]!;
          const data = `data(${base}, package="${pkg}"); `;
          return `${data}x <- ${expr}; cat(${k}, start(x)[1], paste(as.numeric(x), collapse=" "), sep="\\t"); cat("\\n")`;
        })
        .join('; ');
    const r = spawnSync('Rscript', ['-e', code], { encoding: 'utf8' });
    if (r.status !== 0 || r.error) {
      if (r.stderr) process.stderr.write(r.stderr);
      missing.push(`R package ${pkg} not found: \`apt-get install --no-install-recommends r-cran-${pkg}\``);
      continue;
    }
    for (const line of r.stdout.trim().split('\n')) {
      const [k, first, vals] = line.split('\t');
      const [, , name, freq, start, note] = list[Number(k)]!;
      const values = vals!.split(' ').map((v) => (v === 'NA' ? NaN : Number(v)));
      const dates = values.map((_, i) => packageDate(freq, start || first!, i));
      out.push({
        name,
        source: 'R',
        freq,
        note,
        target: 'value',
        csv: () => toCsv(dates, values).replace(/,NaN$/gm, ','),
      });
    }
  }
  return out;
}

/** Every real series that the installed packages provide; `missing` says what to install for the rest. */
export function realSeries(): { series: BenchSeries[]; missing: string[] } {
  const missing: string[] = [];
  const root = STATSMODELS_ROOTS.find((d) => existsSync(join(d, 'co2', 'co2.csv')));
  const series: BenchSeries[] = [];
  if (root) series.push(...statsmodelsSeries(root));
  else
    missing.push('statsmodels datasets not found: `apt-get install python3-statsmodels` (or set STATSMODELS_DATASETS)');
  const r = rSeries();
  if (r.length) series.push(...r, ...rPackageSeries(missing));
  else missing.push("Rscript not found: `apt-get install --no-install-recommends r-base-core` for R's datasets");
  return { series, missing };
}
