#!/usr/bin/env bash
# Generated C on the emulated Cortex-M4 (QEMU mps2-an386), per int8 model of the shared assets (and
# tiny_digits and mnist8 quantized to int16x8):
# firmware text/data/bss (arm-none-eabi-size) and instructions per inference (TCG plugin) next to
# the estimator's `--kernels generated` prediction, then TFLM's figures from reference/README.md.
# Needs make, gcc, arm-none-eabi-gcc (newlib) and qemu-system-arm.
# Usage: benchmarks/codegen-report.sh [ASSETS_DIR]   (default ../shared/assets from the repo root)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
assets="$(cd "${1:-../shared/assets}" && pwd)"
for tool in make gcc arm-none-eabi-gcc qemu-system-arm; do
  command -v "$tool" >/dev/null || { echo "codegen-report: $tool not found" >&2; exit 1; }
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# the benchmarks jar holds this checkout's modules (a reactor build; nothing is installed)
./mvnw -B -q -o -pl benchmarks -am package -DskipTests >/dev/null
java -cp benchmarks/target/benchmarks.jar io.tinyml.benchmarks.CodegenReport "$assets" "$work/models"
cat <<'TABLE'

TFLM on the same board (reference/README.md): whole firmware -Os text (384 KB arena in bss),
arena_used_bytes, instructions per Invoke() at -O2 (-Os in parentheses)
| model | kernels | firmware text | arena | instructions |
|---|---|---|---|---|
| kws | ref | 98,536 | 22,772 | 43,107,034 (133,962,117) |
| kws | cmsis_nn_i8 | 108,912 | 22,820 | 7,696,241 (9,224,200) |
| person | ref | 341,888 | 82,292 | 95,896,765 (353,859,082) |
| person | cmsis_nn_i8 | 350,664 | 82,308 | 22,927,968 (27,104,449) |
TABLE
