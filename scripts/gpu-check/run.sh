#!/usr/bin/env bash
# The GPU checks, on a machine with an NVIDIA GPU and no Java or Maven: needs only what pack.sh put in
# .gpu/. Writes its reports to $OUT (default /tmp/gpu-check): info.txt (devices, driver, libraries)
# and gpu-checks.txt (one line per test: the CUDA conformance suite against plain-Java references, the
# golden cases against the CPU backend's reference outputs in
# cuda-kernels/src/test/resources/golden/cpu-reference-f32.bin.gz (no ND4J needed here), CUDA graphs
# (runRepeated) against op-by-op runs, NVRTC, the kernel cache, library discovery), then gpu-bench.json/.txt
# (io.cortex4j.cuda.bench.GpuBench: step rates op by op vs CUDA graphs, with an exact-equality check, SGEMM and bandwidth ceilings) and
# alignment.txt (the PAL alignment run on CUDA against the CPU backend's angles, alignment.sh).
# Exit status 1 on any failure (a skipped benchmark, no GPU, is not one).
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
flags=(--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow --add-modules=jdk.incubator.vector -Dbasedir="$root/.gpu")
echo "commit $(cat .gpu/COMMIT 2>/dev/null || echo unknown)" | tee "$out/info.txt"
(nvidia-smi -L || true) 2>&1 | tee -a "$out/info.txt"
"$java" "${flags[@]}" -cp ".gpu/lib/*" io.cortex4j.cli.Main info 2>&1 | tee -a "$out/info.txt"
status=0
"$java" "${flags[@]}" -cp ".gpu/lib/*" io.cortex4j.cuda.GpuChecks "$out" "$@" || status=$?
# The benchmark (gpu-bench.json/.txt in $out): exit 0 measured, 3 skipped (no usable GPU, the reason is
# printed), anything else a failure, which makes this script fail too (the checks' status comes first).
bench=0
"$java" "${flags[@]}" -cp ".gpu/lib/*" io.cortex4j.cuda.bench.GpuBench "$out" || bench=$?
case "$bench" in
  0) ;;
  3) echo "GpuBench skipped: no usable GPU (reason above)" ;;
  *) echo "GpuBench FAILED (exit $bench): see above and $out/gpu-bench.txt" >&2
     [ "$status" -ne 0 ] || status=1 ;;
esac
# The PAL alignment run on CUDA against the CPU backend's angles (alignment.sh; about 1e6 Euler steps),
# only where the CUDA backend is usable (GpuBench exit 0 or 1 means a device was there).
if [ "$bench" -ne 3 ]; then
  JAVA="$java" CP=".gpu/lib/*" OUT="$out" bash scripts/gpu-check/alignment.sh || { echo "alignment check FAILED" >&2; [ "$status" -ne 0 ] || status=1; }
else
  echo "alignment check skipped: no usable GPU"
fi
# A reference implementation's harness, if pack.sh was given one (REF_PACK): same GPU, its own report in $out.
if [ -x .gpu/ref/run.sh ] && [ "$bench" -ne 3 ]; then
  bash .gpu/ref/run.sh "$out" || echo "reference harness failed (exit $?): its numbers are missing, our checks stand" >&2
fi
rm -rf "$jre"
exit $status
