# Sourced on the device machine by .gpubench/run.sh and run-trainer.sh: unpack Node, Dawn and the
# Vulkan loader, and point Vulkan at the NVIDIA driver. Sets B (the carry folder) and OUT.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
if [ -d .gl ]; then for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig; fi
B=$PWD/.gpubench
unxz() { python3 -c "import lzma,shutil,sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2],'wb'))" "$1" "$2"; }
[ -x /tmp/node ] || { unxz $B/node.xz /tmp/node; chmod +x /tmp/node; }
mkdir -p $B/node_modules/webgpu/dist/linux-x64
[ -f $B/node_modules/webgpu/dist/linux-x64/dawn.node ] || unxz $B/dawn.node.xz $B/node_modules/webgpu/dist/linux-x64/dawn.node
/tmp/node --version
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>&1 | head -2
ICD=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -f $ICD ] && [ -z "${VK_DRIVER_FILES:-}" ] && ! ls /usr/share/vulkan/icd.d/*nvidia* /etc/vulkan/icd.d/*nvidia* >/dev/null 2>&1; then export VK_DRIVER_FILES=$ICD; fi
export XDG_RUNTIME_DIR=$(mktemp -d)
