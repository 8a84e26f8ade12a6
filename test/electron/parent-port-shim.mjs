// Loaded with --import into a Node child that stands in for an Electron utilityProcess: gives it
// the `process.parentPort` Electron provides (messages arrive as `{ data }`), carried over the
// child_process IPC channel. Like Electron's port, it holds messages until someone listens:
// the parent's first message can arrive while the worker's modules are still loading.
import { EventEmitter } from 'node:events';

const port = new EventEmitter();
const queued = [];
port.postMessage = (msg) => {
  if (process.connected) process.send(msg);
};
port.on('newListener', (event) => {
  if (event !== 'message') return;
  setImmediate(() => {
    while (queued.length && port.listenerCount('message') > 0) port.emit('message', { data: queued.shift() });
  });
});
process.on('message', (msg) => {
  if (port.listenerCount('message') > 0 && queued.length === 0) port.emit('message', { data: msg });
  else queued.push(msg);
});
process.parentPort = port;
