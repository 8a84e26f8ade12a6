// The entry cpu-device.sh bundles: rnn-cores.ts on a machine without the repository, JSON lines.
import { cores } from './rnn-cores.js';

await cores({ json: true, args: process.argv.slice(2) });
process.exit(0);
