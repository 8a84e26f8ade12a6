// Loaded with --import into a Node child that stands in for an Electron utilityProcess: gives it
// the `process.parentPort` Electron provides (messages arrive as `{ data }`), carried over the
// child_process IPC channel.
import { EventEmitter } from 'node:events';

const port = new EventEmitter();
port.postMessage = (msg) => {
  if (process.connected) process.send(msg);
};
process.on('message', (msg) => port.emit('message', { data: msg }));
process.parentPort = port;
