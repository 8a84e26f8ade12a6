// A renderer Client over the service in the same process, as the CLI host uses it: component tests
// talk to the real service on a temp SQLite file instead of a stand-in.
import type { Api } from '../../core/api.js';
import type { Client } from '../../renderer/src/lib/api.js';

export function inProcessClient(api: Api): Client {
  return {
    transport: 'http',
    call: (method, args) => api.call(method, args),
    on: (event, listener) => api.on(event, listener),
    upload: async () => ({ ok: false, error: { code: 'bad_input', message: 'no uploads in component tests' } }),
    exportModel: async () => ({ ok: false, error: { code: 'bad_input', message: 'no exports in component tests' } }),
    bundleRuns: async () => ({ ok: false, error: { code: 'bad_input', message: 'no bundles in component tests' } }),
    importBundle: async () => ({ ok: false, error: { code: 'bad_input', message: 'no bundles in component tests' } }),
    predictFile: async () => ({ ok: false, error: { code: 'bad_input', message: 'no uploads in component tests' } }),
    saveText: async (fileName) => ({ ok: true, value: { message: `Saved ${fileName}` } }),
  };
}
