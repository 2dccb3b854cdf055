#!/usr/bin/env bash
# Builds the fuzz targets with clang (libFuzzer, AddressSanitizer, UBSan) in
# build-fuzz/ and runs each for SECONDS (default 20), starting from its
# committed corpus. What a run finds new stays in build-fuzz/found/<target>;
# `--merge` adds the inputs that reach new code to fuzz/corpus/<target>.
# A crash stops the run and keeps its input as build-fuzz/crash-<target>-*:
# fix the code, then commit the input to fuzz/corpus/<target>/ so that the
# replay test (ctest -L fuzz) keeps checking it.
#   fuzz/run.sh [SECONDS] [--merge]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds=${1:-20}
merge=${2:-}
build=build-fuzz
targets=(registry_requests courses_requests schools_requests housing_requests mediators_requests casework_requests events)
CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DANKOMMEN_FUZZ=ON -DBUILD_TESTING=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C "$build" "${targets[@]/#/fuzz_}" >/dev/null
for t in "${targets[@]}"; do
  found="$build/found/$t"
  mkdir -p "$found"
  echo "fuzz_$t: ${seconds}s from $(ls fuzz/corpus/$t | wc -l) corpus inputs"
  # -rss_limit_mb: a request is bounded by the edge (16 MB); leaks are reported by ASan at exit.
  "$build/fuzz/fuzz_$t" -max_total_time="$seconds" -rss_limit_mb=2048 -artifact_prefix="$build/crash-$t-" \
    -print_final_stats=1 "$found" "fuzz/corpus/$t" 2>&1 | grep -E "^(stat::number_of_executed_units|stat::new_units_added|==|SUMMARY|ERROR)" || true
  if ls "$build"/crash-"$t"-* >/dev/null 2>&1; then
    echo "fuzz_$t crashed: $(ls "$build"/crash-"$t"-*)" >&2
    exit 1
  fi
  if [[ $merge == --merge ]]; then
    "$build/fuzz/fuzz_$t" -merge=1 "fuzz/corpus/$t" "$found" >/dev/null 2>&1
  fi
done
echo "fuzzing passed: ${#targets[@]} targets, ${seconds}s each, no crash"
