#!/usr/bin/env bash
# Packs what the GPU checks need into .gpu/ at the repository root (git-ignored, well under the 64 MiB
# a device call carries): a jlink'ed JDK 25 runtime (.gpu/jdk.tar.gz), our jars and their pure-Java
# dependencies in .gpu/lib (no ND4J/OpenBLAS/JavaCPP native jars, no DL4J), and this module's test
# classes with the shared conformance suite. Then, on the GPU machine:  bash scripts/gpu-check/run.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
java_major() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | cut -d. -f1; }
jdk=""
for c in "${CORTEX4J_JAVA:-}" "${JAVA_HOME:+$JAVA_HOME/bin/java}" /usr/lib/jvm/*/bin/java "$(command -v java 2>/dev/null || true)"; do
  [ -n "$c" ] && [ -x "$c" ] || continue
  m="$(java_major "$c" || true)"
  if [ -n "$m" ] && [ "$m" -ge 25 ] 2>/dev/null && [ -x "$(dirname "$c")/jlink" ]; then jdk="$(cd "$(dirname "$c")/.." && pwd)"; break; fi
done
[ -n "$jdk" ] || { echo "pack.sh needs a JDK 25 with jlink (set CORTEX4J_JAVA)" >&2; exit 2; }

# a reactor build (nothing installed into ~/.m2): our modules' classpath entries are their target/ jars
mvn -B -q -ntp ${MAVEN_OFFLINE:+-o} -DskipTests package dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/gpu-cp.txt
cp_file="$(mktemp)"
cp cuda-kernels/target/gpu-cp.txt "$cp_file"

rm -rf .gpu.tmp && mkdir -p .gpu.tmp/lib
tr ':' '\n' < "$cp_file" | while read -r f; do
  case "$f" in   # our jars and what they need beside ND4J; ND4J, OpenBLAS, JavaCPP and DL4J stay behind (90+ MB of natives)
    "$root"/*/target/cortex4j-*.jar|*/io/cortex4j/*|*/com/fasterxml/jackson/*|*/org/yaml/*|*/info/picocli/*|*/org/slf4j/*|*/org/junit/*|*/org/opentest4j/*|*/org/apiguardian/*) cp "$f" .gpu.tmp/lib/ ;;
  esac
done
rm -f "$cp_file"
cp cuda-kernels/target/cortex4j-cuda-kernels-*[0-9T].jar cli/target/cortex4j-cli.jar .gpu.tmp/lib/ 2>/dev/null || cp cuda-kernels/target/cortex4j-cuda-kernels-*.jar cli/target/cortex4j-cli.jar .gpu.tmp/lib/
cp cli/target/lib/picocli-*.jar .gpu.tmp/lib/   # the command line of the CLI (info, the alignment run's train)
# core's jar without the CPU backend's OpenBLAS natives (io/cortex4j/blas/, ~40 MB unpacked): the GPU host has no ND4J either
for j in .gpu.tmp/lib/cortex4j-core-*.jar; do
  case "$j" in *-tests.jar) continue ;; esac
  x="$(mktemp -d)" && (cd "$x" && "$jdk/bin/jar" --extract --file "$OLDPWD/$j") && rm -rf "$x/io/cortex4j/blas" \
    && rm "$j" && "$jdk/bin/jar" --create --file "$j" -C "$x" . && rm -rf "$x"
done
"$jdk/bin/jar" --create --file .gpu.tmp/lib/cortex4j-cuda-kernels-tests.jar -C cuda-kernels/target/test-classes .
mkdir -p .gpu.tmp/src/main/cuda && cp cuda-kernels/src/main/cuda/* .gpu.tmp/src/main/cuda/   # the kernel sources, for the nvcc/NVRTC compile tests

"$jdk/bin/jlink" --add-modules java.base,java.desktop,java.logging,java.management,java.naming,java.sql,java.xml,jdk.unsupported,jdk.zipfs,jdk.incubator.vector \
  --strip-debug --no-man-pages --no-header-files --compress=zip-6 --output .gpu.tmp/jdk
tar czf .gpu.tmp/jdk.tar.gz -C .gpu.tmp jdk && rm -rf .gpu.tmp/jdk
git rev-parse HEAD > .gpu.tmp/COMMIT 2>/dev/null || true
# Optional: a folder with a reference implementation's timing harness (kept outside this repository),
# whose run.sh <out-dir> the GPU run calls after our benchmark, for a comparison on the same GPU.
if [ -n "${REF_PACK:-}" ]; then
  [ -x "$REF_PACK/run.sh" ] || { echo "REF_PACK=$REF_PACK has no executable run.sh" >&2; exit 2; }
  cp -r "$REF_PACK" .gpu.tmp/ref
fi
rm -rf .gpu && mv .gpu.tmp .gpu
echo "packed .gpu/ ($(du -sh .gpu | cut -f1)): $(ls .gpu/lib | wc -l) jars, JDK $("$jdk/bin/java" -version 2>&1 | head -1)"
