#!/usr/bin/env bash
# Reproduces the digits figures of the README: PICI's CPU preset over three seeds, the ablation
# rows of the paper's Table 6, and the k-means-on-pixels baseline. Runs one after another (about
# 40 minutes on 2 cores) and prints the summary table at the end.
#
#   model/scripts/digits-study.sh [OUT_DIR] [SEEDS...]
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:-runs/digits-study}"
shift || true
seeds=("${@:-1 2 3}")
# shellcheck disable=SC2206
seeds=(${seeds[@]})
mkdir -p "$out"

run() { # name, seed, extra args...
  local name="$1" seed="$2"
  shift 2
  local dir="$out/$name-seed$seed"
  if [[ -f "$dir/result.json" ]]; then
    echo "== $dir already done"
    return
  fi
  if [[ -f "$dir/run.json" ]]; then
    ./pici train --resume "$dir" --progress lines
  else
    ./pici train --data digits --seed "$seed" --out "$dir" --progress lines "$@"
  fi
}

for seed in "${seeds[@]}"; do
  # Full PICI: its stage scores also give "PISD only" (end of pre-training, k-means on h) and
  # "PISD + PICD" (end of training, before boosting).
  run pici "$seed"
  # No PISD: the contrastive heads on the ViT alone, like a vanilla CC, then with CLI.
  run picd-only "$seed" --epochs 0,50,0 --set reconstructionWeight=0
  run picd-cli "$seed" --epochs 0,50,8 --set reconstructionWeight=0
  if [[ ! -f "$out/kmeans-seed$seed/result.json" ]]; then
    ./pici kmeans --data digits --seed "$seed" --out "$out/kmeans-seed$seed"
  fi
done

./pici compare "$out"/*
