// Regenerates the sample datasets shipped with Recurrent Workbench, byte for byte: every random
// number comes from a seeded PRNG, so `node samples/generate.mjs [outDir]` writes identical files
// (into samples/ unless outDir is given).
//   city-energy.csv  hourly electricity load of a mid-sized city, Jan–Apr 2024 (multivariate)
//   stocks-long.csv  daily closes and volumes of three made-up tickers (long format)
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const outDir = process.argv[2] ?? dirname(fileURLToPath(import.meta.url));

/** mulberry32: small, fast, good enough for sample data. */
function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => {
    const u = next() || 1e-12;
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
  };
  return { next, normal };
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function cityEnergy() {
  const r = prng(20240101);
  const start = Date.UTC(2024, 0, 1);
  const days = 122; // Jan 1 – May 1, 2024
  const holidays = new Set(['2024-01-01', '2024-01-15', '2024-02-19', '2024-03-29', '2024-04-01']);
  let weather = 0; // slow AR(1) weather anomaly: fronts that last a few days
  let humid = 0;
  let noise = 0;
  const lines = ['time,temperature,humidity,load_mw,is_holiday'];
  for (let h = 0; h < days * 24; h++) {
    const t = start + h * HOUR;
    const d = new Date(t);
    const date = d.toISOString().slice(0, 10);
    const hour = d.getUTCHours();
    const dow = d.getUTCDay(); // 0 = Sunday
    const dayOfPeriod = h / 24;
    weather = 0.985 * weather + 0.35 * r.normal();
    humid = 0.97 * humid + 1.2 * r.normal();
    // Late winter into spring: cold January, mild April; coldest near 5:00, warmest near 15:00.
    const seasonal = 1.5 + 11 * Math.max(0, (dayOfPeriod - 20) / 102) - 1.5 * Math.cos((2 * Math.PI * dayOfPeriod) / 61);
    const daily = 4.5 * Math.sin((2 * Math.PI * (hour - 9)) / 24);
    const temperature = seasonal + daily + weather;
    const humidity = Math.min(100, Math.max(22, 74 - 2.2 * daily - 0.8 * weather + humid));
    const holiday = holidays.has(date);
    const offDay = holiday || dow === 0 || dow === 6;
    // Load: a night trough, a morning ramp and an evening peak; quieter mornings on days off;
    // electric heating below 16 °C; a little extra on humid days; correlated noise.
    const morning = Math.exp(-((hour - 8) ** 2) / 6) * (offDay ? 0.35 : 1);
    const evening = Math.exp(-((hour - 18.5) ** 2) / 5);
    const daytime = hour >= 7 && hour <= 21 ? 1 : 0;
    const base = 780 + 140 * daytime * (offDay ? 0.7 : 1) + 130 * morning + 170 * evening;
    const heating = 14 * Math.max(0, 16 - temperature);
    noise = 0.7 * noise + 9 * r.normal();
    const load = base + heating + 0.6 * (humidity - 70) + noise;
    const cells = [d.toISOString().slice(0, 19), temperature.toFixed(1), humidity.toFixed(1), load.toFixed(1), holiday ? '1' : '0'];
    // A few sensor gaps, as real data has.
    if (r.next() < 0.004) cells[1 + Math.floor(r.next() * 3)] = '';
    lines.push(cells.join(','));
  }
  return lines.join('\n') + '\n';
}

function stocksLong() {
  const r = prng(7);
  const symbols = [
    { symbol: 'ACME', price: 48, drift: 0.0004, vol: 0.018, volume: 2.1e6 },
    { symbol: 'GLOBEX', price: 131, drift: 0.0001, vol: 0.012, volume: 8.5e5 },
    { symbol: 'INITECH', price: 17.5, drift: -0.0002, vol: 0.027, volume: 4.4e6 },
  ];
  const dates = [];
  for (let t = Date.UTC(2022, 0, 3); dates.length < 500; t += DAY) {
    const dow = new Date(t).getUTCDay();
    if (dow !== 0 && dow !== 6) dates.push(new Date(t).toISOString().slice(0, 10));
  }
  const market = dates.map(() => r.normal());
  const lines = ['symbol,date,close,volume'];
  for (const s of symbols) {
    let price = s.price;
    dates.forEach((date, i) => {
      const ret = s.drift + s.vol * (0.5 * market[i] + 0.85 * r.normal());
      price *= Math.exp(ret);
      const volume = Math.round(s.volume * Math.exp(0.35 * r.normal() + 18 * Math.abs(ret)));
      lines.push(`${s.symbol},${date},${price.toFixed(2)},${volume}`);
    });
  }
  return lines.join('\n') + '\n';
}

writeFileSync(join(outDir, 'city-energy.csv'), cityEnergy());
writeFileSync(join(outDir, 'stocks-long.csv'), stocksLong());
