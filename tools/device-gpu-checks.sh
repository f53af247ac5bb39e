#!/usr/bin/env bash
# The GPU checks in one call on a lent CUDA machine: the generation engine against plain diffusers at full size
# (bench/gpu_bench.py), then training the built-in emoji model and its adherence benchmark
# (tools/train-builtin-gpu.sh). Needs .whl/ (diffusers and its missing needs) and .train/ (the rendered dataset).
# Everything lands in $OUT within its 8-file limit: the benchmark's JSON goes into train.log.
set -uo pipefail
OUT="${OUT:-.train/gpu-out}"
mkdir -p "$OUT" /tmp/gpubench
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
export PYTHONPATH=/tmp/site PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
OUT=/tmp/gpubench timeout "${BENCH_SECONDS:-210}" python3 bench/gpu_bench.py --runs 3 > "$OUT/train.log" 2>&1
echo "gpu_bench exit $?" >> "$OUT/train.log"
cat /tmp/gpubench/gpu_bench.json >> "$OUT/train.log" 2>/dev/null
tail -c 1500 "$OUT/train.log"
MINUTES="${MINUTES:-3.5}" OUT="$OUT" bash tools/train-builtin-gpu.sh
