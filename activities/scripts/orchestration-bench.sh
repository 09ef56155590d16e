#!/usr/bin/env bash
# Measures what the platform costs: the same configuration trained with `pici train` and as a
# one-trial sweep through the embedded stack (one in-process worker), plus checkpoint size and
# save/load times from the worker's log. Prints figures; asserts nothing.
#
#   activities/scripts/orchestration-bench.sh [PRE,TRAIN,BOOST]     (default 5,20,3: ~6 minutes)
set -euo pipefail
cd "$(dirname "$0")/../.."
epochs="${1:-5,20,3}"
IFS=, read -r pre train boost <<< "$epochs"
work="$(mktemp -d)"
up_pid=""
trap '[[ -n "$up_pid" ]] && kill "$up_pid" 2>/dev/null; rm -rf "$work"' EXIT
now() { python3 -c 'import time; print(time.time())'; }

echo "== pici train, cpu preset on digits, epochs $epochs"
start=$(now)
./pici train --data digits --epochs "$epochs" --seed 1 --out "$work/local" --progress none 2> "$work/train.log"
local_wall=$(python3 -c "print($(now) - $start)")

echo "== the same through the platform (pici up --workers 1, sweep of one trial)"
export PICI_HOME="$work/home"
./pici up --workers 1 --temporal-port 7433 --s3-port 9433 > "$work/up.log" 2>&1 &
up_pid=$!
for _ in $(seq 1 120); do grep -q "Ready" "$work/up.log" && break; sleep 0.5; done
cat > "$work/one.yaml" <<SPEC
name: bench
dataset: digits
parameters:
  epochs: {pretrain: $pre, train: $train, boost: $boost}
seeds: [1]
SPEC
start=$(now)
./pici sweep launch "$work/one.yaml" --wait > "$work/sweep.out" 2> "$work/sweep.log"
platform_wall=$(python3 -c "print($(now) - $start)")

python3 - "$work" "$local_wall" "$platform_wall" <<'PY'
import json, re, sys, statistics
work, local_wall, platform_wall = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
local = json.load(open(f"{work}/local/result.json"))
log = open(f"{work}/up.log").read()
saves = [(int(b), float(s)) for b, s in re.findall(r"saved checkpoint \S+ \((\d+) bytes in ([\d.]+) s\)", log)]
loads = [(int(b), float(s)) for b, s in re.findall(r"loaded \S+ \((\d+) bytes in ([\d.]+) s\)", log)]
scores = open(f"{work}/sweep.out").read()
print()
print(f"pici train        wall {local_wall:7.1f} s   training {local['trainingSeconds']:.1f} s   NMI {local['scores']['nmi']:.3f}")
print(f"through platform  wall {platform_wall:7.1f} s   (launch to end, CLI start included)")
print(f"overhead          {platform_wall - local_wall:+.1f} s ({100 * (platform_wall / local_wall - 1):+.1f}%)")
if saves:
    print(f"checkpoints       {len(saves)} saved, {saves[-1][0] / 1e6:.1f} MB, save median {statistics.median(s for _, s in saves):.3f} s (max {max(s for _, s in saves):.3f} s)")
if loads:
    print(f"                  {len(loads)} loaded, load median {statistics.median(s for _, s in loads):.3f} s")
m = re.search(r"NMI ([\d.]+)", scores)
if m:
    print(f"platform run      NMI {m.group(1)} (same seed and settings)")
PY
