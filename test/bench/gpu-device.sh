#!/bin/bash
# Prepares `npm run bench:gpu` for a lent GPU machine that has no Node (the device tool's `run`):
#   bash test/bench/gpu-device.sh        # here: builds .gpubench/ (ignored) and .gl/ (Vulkan loader debs)
#   run(command="bash .gpubench/run.sh", carry=[".gpubench", ".gl"], timeout_s=420)   # there
# .gpubench holds the bench bundled with esbuild (TF.js and tfjs-backend-webgpu inside, Dawn outside),
# Dawn's linux-x64 addon and this Node binary (xz, unpacked there with Python's lzma), torch_rnn.py,
# torch_rnn_stack.py and run.sh (`bash .gpubench/run.sh --large`: issue 15's two-layer grid), and
# cores.sh with cores.mjs and the native engine's prebuild (the fused step at every thread count).
# About 35 MB, under the tool's 64 MiB tree limit. Results: $OUT/bench.jsonl.
set -euo pipefail
cd "$(dirname "$0")/../.."
B=.gpubench
grep -qx '/.gpubench/' .git/info/exclude || echo '/.gpubench/' >> .git/info/exclude
grep -qx '/.gl/' .git/info/exclude || echo '/.gl/' >> .git/info/exclude
rm -rf $B && mkdir -p $B/node_modules/webgpu
npx esbuild test/bench/gpu.ts --bundle --platform=node --format=esm --target=node20 --external:webgpu \
  --outfile=$B/bench.mjs --log-level=warning \
  --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);"
cp node_modules/webgpu/index.js node_modules/webgpu/package.json $B/node_modules/webgpu/
xz -T2 -6 -c node_modules/webgpu/dist/linux-x64/dawn.node > $B/dawn.node.xz
xz -T2 -6 -c "$(command -v node)" > $B/node.xz
cp ../shared/bench/torch_rnn.py test/bench/torch_rnn_stack.py $B/
# The cores bench (issue 15 item 3: the fused step at every thread count against PyTorch with all
# cores) for the same machine's CPUs: `bash .gpubench/cores.sh`, results in $OUT/cores.jsonl.
node test/bench/bundle-cores.mjs $B/cores.mjs
mkdir -p $B/prebuilds && cp -r worker/kernels/prebuilds/linux-x64 $B/prebuilds/
if [ ! -d .gl ]; then
  mkdir -p .gl /tmp/amd64/partial
  o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
  apt-get $o update >/dev/null
  (cd .gl && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
fi
cp test/bench/gpu-device-setup.sh $B/setup.sh
cat > $B/run.sh <<'RUN'
#!/bin/bash
# On the device machine: unpack Node, Dawn and the Vulkan loader, then run the bench beside PyTorch.
source "$(dirname "$0")/setup.sh"
timeout ${BENCH_TIMEOUT:-330} /tmp/node $B/bench.mjs --torch $B/torch_rnn.py --torch-stack $B/torch_rnn_stack.py "$@" 2>&1 | grep -v -E '^=+$|Hi, looks like|^$' | tee "$OUT/bench.jsonl"
RUN
cat > $B/cores.sh <<'RUN'
#!/bin/bash
# On the device machine: the fused step at 1..all threads against PyTorch on the CPUs.
source "$(dirname "$0")/setup.sh"
timeout ${BENCH_TIMEOUT:-500} /tmp/node --experimental-wasm-relaxed-simd $B/cores.mjs --torch $B/torch_rnn.py "$@" 2>&1 | grep -v -E '^=+$|Hi, looks like|^$' | tee "$OUT/cores.jsonl"
RUN
chmod +x $B/run.sh $B/cores.sh
du -sh $B .gl
