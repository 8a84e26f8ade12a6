// tsc emits only JavaScript: copy the SQL migrations and the ONNX schema beside the compiled code so dist/ runs alone.
import { cpSync, mkdirSync } from 'node:fs';
mkdirSync('dist/db/migrations', { recursive: true });
cpSync('db/migrations', 'dist/db/migrations', { recursive: true });
// The ONNX export parses the official onnx.proto at run time (worker/export/onnx/proto.ts).
mkdirSync('dist/worker/export/onnx', { recursive: true });
cpSync('worker/export/onnx/onnx.proto', 'dist/worker/export/onnx/onnx.proto');
// The native RNN engine, prebuilt per platform (worker/kernels/modules.ts finds it beside itself).
cpSync('worker/kernels/prebuilds', 'dist/worker/kernels/prebuilds', { recursive: true });
