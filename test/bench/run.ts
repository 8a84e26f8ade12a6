// `npm run bench [-- --suite import|train|rnn|renderer|bundles|forecast|onnx|startup|study|native] [--json]`: runs the benchmark suites. Each suite
// module exports `run(opts)`; it prints a table, or one JSON line per row with --json
// (format: ../shared/bench/README.md).
export interface BenchOptions {
  json: boolean;
  /** Extra flags after the suite name, e.g. `--quick`. */
  args: string[];
}

const SUITES: Record<string, () => Promise<{ run(opts: BenchOptions): Promise<void> }>> = {
  import: () => import('./import.js'),
  train: () => import('./train.js'),
  rnn: () => import('./rnn.js'),
  renderer: () => import('./renderer.js'),
  bundles: () => import('./bundles.js'),
  forecast: () => import('./forecast.js'),
  onnx: () => import('./onnx.js'),
  startup: () => import('./startup.js'),
  study: () => import('./study.js'),
  native: () => import('./native.js'),
};

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const json = argv.includes('--json');
  const i = argv.indexOf('--suite');
  const chosen = i >= 0 ? [argv[i + 1]!] : Object.keys(SUITES);
  for (const name of chosen) {
    const load = SUITES[name];
    if (!load) throw new Error(`unknown suite "${name}"; choose one of ${Object.keys(SUITES).join(', ')}`);
    if (!json) console.log(`\n== suite ${name} ==`);
    const suite = await load();
    await suite.run({ json, args: argv });
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
