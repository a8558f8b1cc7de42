#!/usr/bin/env bash
# Trains every shortened config (shorten.py) with one cortex4j build and keeps its run directory.
# usage: record.sh CONFIG_DIR OUT_DIR CLASSPATH [extra train flags...]
# Each run goes to OUT_DIR/<config name>/ (metrics.csv, parameters.npz, summary.json, ...);
# a config that fails leaves OUT_DIR/<config name>.err.
set -uo pipefail
cfgs="$1"; out="$2"; cp="$3"; shift 3
java="${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}"
mkdir -p "$out"
for f in "$cfgs"/*.yaml; do
  n="$(basename "$f" .yaml)"
  rm -rf "$out/$n" "$out/$n.tmp" "$out/$n.err"
  start=$(date +%s)
  if OPENBLAS_THREAD_TIMEOUT=16 "$java" -Xmx6g --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow --add-modules=jdk.incubator.vector \
       -cp "$cp" io.cortex4j.cli.Main train "$f" --out "$out/$n.tmp" --quiet "$@" > "$out/$n.log" 2>&1; then
    mv "$out/$n.tmp"/* "$out/$n" && rmdir "$out/$n.tmp"
    echo "$n: ok ($(( $(date +%s) - start )) s)"
  else
    mv "$out/$n.log" "$out/$n.err"; rm -rf "$out/$n.tmp"
    echo "$n: FAILED (see $out/$n.err)"
  fi
done
