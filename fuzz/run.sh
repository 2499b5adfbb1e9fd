#!/usr/bin/env bash
# Runs every libFuzzer target in BUILD_DIR/fuzz for SECONDS each, seeded from the
# repository (fuzz/corpus/<name>, test data and examples/), one after another.
# New inputs go to BUILD_DIR/fuzz-corpus/<name>, crashes to BUILD_DIR/fuzz-artifacts/.
# Exit status: 0 when no target found a problem, 1 otherwise, 2 on usage errors.
#   usage: fuzz/run.sh BUILD_DIR SECONDS
set -uo pipefail

if [ $# -ne 2 ] || ! [[ $2 =~ ^[0-9]+$ ]] || [ "$2" -lt 1 ]; then
  echo "usage: $0 BUILD_DIR SECONDS" >&2
  exit 2
fi
build=$(cd "$1" && pwd) || exit 2
seconds=$2
root=$(cd "$(dirname "$0")/.." && pwd)

# Seed directories and dictionary per target; every directory must exist.
seeds_for() {
  case $1 in
    admission_review) echo "fuzz/corpus/admission_review test/testdata/admission examples/admission" ;;
    mustgather_rules) echo "fuzz/corpus/mustgather_rules examples/admission" ;;
    admission_decoder_diff | json_select_fast_diff)
      echo "fuzz/corpus/admission_review fuzz/corpus/mustgather_rules test/testdata/admission examples/admission"
      ;;
    manifest) echo "fuzz/corpus/manifest test/testdata/manifests examples examples/bad" ;;
    *) echo "fuzz/corpus/$1" ;;
  esac
}
dict_for() {
  case $1 in
    admission_review | mustgather_rules | admission_decoder_diff | json_select_fast_diff) echo "fuzz/json.dict" ;;
    image_ref) echo "fuzz/image_ref.dict" ;;
    http_request_head) echo "fuzz/http_request_head.dict" ;;
    manifest | kubectl_yaml) [ -f "$root/fuzz/yaml.dict" ] && echo "fuzz/yaml.dict" ;;
  esac
}

shopt -s nullglob
fuzzers=("$build"/fuzz/*_fuzzer)
if [ ${#fuzzers[@]} -eq 0 ]; then
  echo "no fuzzers in $build/fuzz (configure with clang and -DMGW_BUILD_FUZZERS=ON)" >&2
  exit 2
fi

mkdir -p "$build/fuzz-artifacts"
failed=()
printf '%-18s %8s %10s %8s %s\n' target seconds execs/s corpus result
for bin in "${fuzzers[@]}"; do
  name=$(basename "$bin" _fuzzer)
  work="$build/fuzz-corpus/$name"
  mkdir -p "$work"
  seeds=()
  for d in $(seeds_for "$name"); do seeds+=("$root/$d"); done
  dict=$(dict_for "$name")
  log="$build/fuzz-artifacts/$name.log"
  start=$(date +%s)
  # -timeout: one input taking >10 s is a hang; -rss_limit_mb: a leak or blow-up.
  "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$build/fuzz-artifacts/$name-" ${dict:+-dict="$root/$dict"} \
    "$work" "${seeds[@]}" >"$log" 2>&1
  status=$?
  took=$(($(date +%s) - start))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$((${execs:-0} / (took > 0 ? took : 1)))
  corpus=$(find "$work" -type f | wc -l)
  if [ $status -eq 0 ]; then result=ok; else result="FAILED (see $log)"; failed+=("$name"); fi
  printf '%-18s %8s %10s %8s %s\n' "$name" "$took" "$rate" "$corpus" "$result"
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzers that found problems: ${failed[*]}; inputs in $build/fuzz-artifacts" >&2
  exit 1
fi
