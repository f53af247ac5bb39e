#!/usr/bin/env bash
# Train the built-in emoji model on a CUDA machine, then benchmark it, in one go.
#
# Run from the repository root on a machine with python3, torch (CUDA), transformers, numpy, pillow, safetensors
# and click. Wheels in .whl/ (diffusers and its missing needs) are installed into /tmp/site first, and the dataset
# must already be rendered into .train/ (`studio train builtin --render-only`), so the machine needs neither
# resvg nor a network. Everything that comes back lands in $OUT (default .train/gpu-out), at most 8 files of
# under 16 MiB: the model folder as weights.tar split in 3 parts, recipe.json, adherence.json, samples.png,
# remix.png and train.log. Reassemble with `cat weights.tar.part-* | tar -x -C DIR`.
#
# Environment: MINUTES (training budget, default 4), TRAIN_ARGS and BENCH_ARGS (extra arguments), DEVICE.
set -uo pipefail
OUT="${OUT:-.train/gpu-out}"
MINUTES="${MINUTES:-4}"
DEVICE="${DEVICE:-cuda}"
WORK="${WORK:-/tmp/builtin-run}"
mkdir -p "$OUT" "$WORK"
LOG="$OUT/train.log"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 PYTHONUNBUFFERED=1 CUBLAS_WORKSPACE_CONFIG=:4096:8
if compgen -G ".whl/*.whl" >/dev/null; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
        || { echo "wheel install failed" | tee -a "$LOG"; exit 1; }
    export PYTHONPATH="/tmp/site${PYTHONPATH:+:$PYTHONPATH}"
fi
{ date -u; nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null
  python3 -c "import torch, diffusers, transformers; print('torch', torch.__version__, 'diffusers', diffusers.__version__, 'transformers', transformers.__version__)"
} 2>&1 | tee -a "$LOG"
start=$(date +%s)
# shellcheck disable=SC2086
python3 -m studio train builtin --device "$DEVICE" --minutes "$MINUTES" --seed 0 --data .train --out "$WORK" \
    $TRAIN_ARGS 2>&1 | grep -v "requires torchvision" | tee -a "$LOG"
train_rc=${PIPESTATUS[0]}
echo "training exit $train_rc after $(( $(date +%s) - start )) s" | tee -a "$LOG"
cp "$WORK/recipe.json" "$OUT/" 2>/dev/null
[ "$train_rc" -eq 0 ] || exit "$train_rc"
tar -C "$WORK/model" -cf "$WORK/weights.tar" model_index.json scheduler unet vae text_encoder
split -n 3 -d "$WORK/weights.tar" "$OUT/weights.tar.part-"
# shellcheck disable=SC2086
python3 -m bench.builtin_adherence --model "$WORK/model" --recipe "$WORK/recipe.json" --data .train/openmoji-64.json \
    --out "$WORK/bench" --device "$DEVICE" ${BENCH_ARGS:-} 2>&1 | grep -v "requires torchvision" | tee -a "$LOG"
bench_rc=${PIPESTATUS[0]}
cp "$WORK/bench/adherence.json" "$WORK/bench/samples.png" "$WORK/bench/remix.png" "$OUT/" 2>/dev/null
echo "benchmark exit $bench_rc; total $(( $(date +%s) - start )) s" | tee -a "$LOG"
ls -l "$OUT" | tee -a "$LOG"
exit "$bench_rc"
