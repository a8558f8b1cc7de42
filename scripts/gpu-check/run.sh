#!/usr/bin/env bash
# The GPU checks, on a machine with an NVIDIA GPU and no Java or Maven: needs only what pack.sh put in
# .gpu/. Writes its reports to $OUT (default /tmp/gpu-check): info.txt (devices, driver, libraries)
# and gpu-checks.txt (one line per test: the CUDA conformance suite against plain-Java references,
# graph capture and replay, NVRTC, the kernel cache, library discovery). Exit status 1 on any failure.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
[ -f .gpu/jdk.tar.gz ] || { echo "no .gpu/jdk.tar.gz: run scripts/gpu-check/pack.sh first (and carry .gpu)" >&2; exit 2; }
out="${OUT:-/tmp/gpu-check}"
mkdir -p "$out"
jre="$(mktemp -d)"
tar xzf .gpu/jdk.tar.gz -C "$jre"
java="$jre/jdk/bin/java"
# CUDA libraries of a Python install (PyTorch's torch/lib, the NVIDIA wheels): NVRTC loads its builtins
# library through the loader path, so put those folders on LD_LIBRARY_PATH too.
extra="$(python3 - <<'PY' 2>/dev/null || true
import glob, os, site, sys
dirs = []
for sp in set(site.getsitepackages() + [site.getusersitepackages()]):
    dirs += glob.glob(os.path.join(sp, "nvidia", "*", "lib")) + glob.glob(os.path.join(sp, "torch", "lib"))
print(":".join(d for d in dirs if os.path.isdir(d)))
PY
)"
export LD_LIBRARY_PATH="${extra:+$extra:}${CUDA_HOME:+$CUDA_HOME/lib64:}/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}"
flags=(--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Dbasedir="$root/.gpu")
echo "commit $(cat .gpu/COMMIT 2>/dev/null || echo unknown)" | tee "$out/info.txt"
(nvidia-smi -L || true) 2>&1 | tee -a "$out/info.txt"
"$java" "${flags[@]}" -cp ".gpu/lib/*" io.cortex4j.cli.Main info 2>&1 | tee -a "$out/info.txt"
status=0
"$java" "${flags[@]}" -cp ".gpu/lib/*" io.cortex4j.cuda.GpuChecks "$out" "$@" || status=$?
rm -rf "$jre"
exit $status
