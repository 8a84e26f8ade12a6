// Manual check: `npx tsx test/e2e/serve-dev.ts [db]` serves the current build on a temp (or given)
// DB and prints the URL, like `rnn-workbench serve --no-open` from source.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createService } from '../../core/service.js';
import { startServer } from '../../core/server.js';

const dbPath = process.argv[2] ?? join(mkdtempSync(join(tmpdir(), 'wb-dev-')), 'workbench.db');
const service = createService({ dbPath, host: 'server' });
const server = await startServer({ service, port: Number(process.env.PORT ?? 0) });
console.log(`${server.url}\n${dbPath}`);
process.on(
  'SIGINT',
  () =>
    void server
      .close()
      .then(() => service.close())
      .then(() => process.exit(0)),
);
