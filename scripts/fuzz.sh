#!/usr/bin/env bash
# make fuzz: each target for FUZZ_SECONDS (default 60) with cargo-fuzz on nightly;
# fails on any crash. Seeds come from fuzz/seeds/ (committed); what the fuzzer
# finds goes to fuzz/corpus/ (ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --version 0.13.2
for target in validate_json rate_limit_headers classify fast_path; do
  mkdir -p "fuzz/corpus/$target"
  echo "== fuzz $target for ${seconds}s"
  cargo +nightly fuzz run "$target" "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
    -max_total_time="$seconds" -print_final_stats=1 2>&1 | tee "target/fuzz-$target.log" | grep -E "^(#[0-9]+ *DONE|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+== ERROR|SUMMARY)|Done [0-9]+ runs" || true
  if grep -qE "ERROR: libFuzzer|panicked|SUMMARY: " "target/fuzz-$target.log"; then
    echo "fuzz: $target crashed; see target/fuzz-$target.log and fuzz/artifacts/$target/" >&2
    exit 1
  fi
done
