// A browser-mode server in its own process for the fault suite (killed with SIGKILL by the test):
// `node --import tsx serve-child.ts <uploadRoot> <dbPath> <staticDir>`; prints { port, token } as one JSON line.
import { createService } from '../../core/service.js';
import { startServer } from '../../core/server.js';

const [uploadRoot, dbPath, staticDir] = process.argv.slice(2) as [string, string, string];
const service = createService({ dbPath, host: 'server' });
const server = await startServer({ service, uploadRoot, staticDir });
process.stdout.write(JSON.stringify({ port: server.port, token: server.token }) + '\n');
