#!/bin/bash
# On the device machine: the whole trainer (SQLite, implementation choice, WebGPU trainer, checkpoints,
# evaluation), then CPU-fused on the same machine for comparison.
source "$(dirname "$0")/setup.sh"
timeout 200 /tmp/node $B/trainer.mjs 2>&1 | grep -v -E '^=+$|Hi, looks like|Orthogonal|^$' | tee "$OUT/trainer.jsonl"
RNN_WORKBENCH_GPU=off timeout 90 /tmp/node $B/trainer.mjs --quick 2>&1 | grep -E '^\{' | tee -a "$OUT/trainer.jsonl"
