#!/usr/bin/env bash
# The PAL alignment run (configs/alignment-fig3abc.yaml, seed 123: 1e6 Euler steps at batch 1) on the
# CUDA backend, compared with the angles the CPU backend gave for the same seed
# (reference/alignment-fig3abc-pal-s123.json, written beforehand on a machine with ND4J). Passes if
# every angle is within 0.5°. Called by run.sh; BACKEND, JAVA and CP can be overridden (a CPU
# self-check: BACKEND=cpu JAVA=java CP='cli/target/cortex4j-cli.jar:cli/target/lib/*').
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
out="${OUT:-/tmp/gpu-check}"
backend="${BACKEND:-cuda}"
java="${JAVA:?set JAVA to the java binary}"
cp="${CP:-.gpu/lib/*}"
runs="$out/alignment-runs"
rm -rf "$runs" && mkdir -p "$runs"
"$java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow --add-modules=jdk.incubator.vector -cp "$cp" io.cortex4j.cli.Main \
  train configs/alignment-fig3abc.yaml --backend "$backend" --out "$runs" --quiet
summary="$(ls -d "$runs"/alignment-fig3abc-pal-s123-*/summary.json | head -1)"
python3 - "$summary" scripts/gpu-check/reference/alignment-fig3abc-pal-s123.json "$backend" <<'PY' | tee "$out/alignment.txt"
import json, sys
got, ref, backend = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))["angles_deg"], sys.argv[3]
worst = 0.0
for k, want in ref.items():
    d = abs(got[k] - want)
    worst = max(worst, d)
    print(f"{k:16s} cpu {want:8.3f}°  {backend} {got[k]:8.3f}°  |diff| {d:.3f}°")
print(f"alignment: largest difference {worst:.3f}° (limit 0.5°), {got.get('steps_per_s', 0):.0f} steps/s on {got['provenance']['device']}")
sys.exit(0 if worst <= 0.5 else 1)
PY
