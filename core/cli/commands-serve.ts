// `serve`: browser mode. The service stays open after the handler returns; SIGINT/SIGTERM close
// the server, then the service, then the process.
import { UsageError, type Command } from './table.js';
import { MAX_TRAINERS_OPTION, applyMaxTrainers, describeMaxTrainers } from './commands-settings.js';

export const serveCommand: Command = {
  name: 'serve',
  usage: '[--port N] [--no-open] [--max-trainers N]',
  summary: 'browser mode: the workbench UI on http://127.0.0.1',
  options: {
    port: { type: 'string', value: 'N', help: 'the port (default: a free one)' },
    'no-open': { type: 'boolean', help: 'print the URL without opening a browser' },
    ...MAX_TRAINERS_OPTION,
  },
  positionals: [0, 0],
  db: 'create',
  host: 'server',
  async run(ctx) {
    const { startServer } = await import('../server.js');
    const port = Number(ctx.string('port') ?? 0);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new UsageError(`--port expects a port number, got "${ctx.string('port')}"`, serveCommand);
    const limit = await applyMaxTrainers(ctx, serveCommand);
    if (limit) console.log(describeMaxTrainers(limit));
    const server = await startServer({ service: ctx.svc, port, open: !ctx.flag('no-open') });
    console.log(`Recurrent Workbench is serving ${ctx.dbPath}\nopen ${server.url}\n(Ctrl+C to stop)`);
    const shutdown = () => {
      void server
        .close()
        .then(() => ctx.svc.close())
        .then(() => process.exit(0));
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
    return 0;
  },
};
