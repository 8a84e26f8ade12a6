// Entry: picks the transport, starts the shared state and mounts the app.
import { mount } from 'svelte';
import { z } from 'zod';
import App from './App.svelte';
import { getClient } from './lib/api.js';
import { AppState } from './lib/app.svelte.js';
import { LiveRuns } from './lib/live.svelte.js';
import './styles.css';

// zod's JIT probes `new Function`, which the page's CSP (script-src 'self') forbids.
z.config({ jitless: true });

const client = getClient();
mount(App, {
  target: document.getElementById('app')!,
  props: { app: new AppState(client), live: new LiveRuns(client) },
});
