#!/bin/bash
# Prepares the whole-trainer GPU check for a lent GPU machine without Node (the device tool's `run`):
#   bash test/bench/gpu-trainer-device.sh      # here: .gpubench/ (Node, Dawn, .gl) + the trainer bundle
#   run(command="bash .gpubench/run-trainer.sh", carry=[".gpubench", ".gl"], timeout_s=360)   # there
# It imports a CSV into SQLite and trains through worker/train/trainer.ts; each JSON line says which
# implementation and adapter the run recorded. Results: $OUT/trainer.jsonl.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash test/bench/gpu-device.sh
B=.gpubench
npx esbuild test/bench/gpu-trainer.ts --bundle --platform=node --format=esm --target=node20 \
  --external:webgpu --external:better-sqlite3 --external:@tensorflow/tfjs-backend-wasm \
  --external:@tensorflow/tfjs-node-gpu --external:@tensorflow/tfjs-node --outfile=$B/trainer.mjs --log-level=warning \
  --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);"
# db/open.ts reads its migrations beside the module: beside the bundle here.
mkdir -p $B/migrations $B/node_modules/better-sqlite3/build/Release
cp db/migrations/*.sql $B/migrations/
cp -r node_modules/better-sqlite3/lib node_modules/better-sqlite3/package.json $B/node_modules/better-sqlite3/
cp node_modules/better-sqlite3/build/Release/better_sqlite3.node $B/node_modules/better-sqlite3/build/Release/
cp -r node_modules/bindings node_modules/file-uri-to-path $B/node_modules/
cp "$(dirname "$0")/gpu-trainer-run.sh" $B/run-trainer.sh
du -sh $B .gl
