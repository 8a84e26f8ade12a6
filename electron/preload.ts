// The sandboxed preload. Sandboxed preloads must be one CommonJS file that requires nothing but
// `electron`, so build/preload.mjs bundles this with esbuild into dist/electron/preload.cjs.
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { createBridge } from './bridge.js';

contextBridge.exposeInMainWorld('workbench', createBridge(ipcRenderer, webUtils));
