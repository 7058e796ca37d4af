#!/usr/bin/env bash
# Every item of the documented Rust API has an example: rustdoc's missing-doc-code-examples
# lint (nightly only, hence this script) over the core with serde and over the Rust API
# (wasm32, feature client), failing on any item of the API's modules. The sans-IO
# machinery (`#[doc(hidden)]` modules in src/lib.rs) is not part of the API and is not
# checked. The examples themselves run in `cargo test --doc` (the client's are compiled
# for wasm32 there: they need a browser or a Worker to run).
set -euo pipefail
cd "$(dirname "$0")/.."
api='src/(lib|base_url|error|rate_limit|request|response|result|validate|value)\.rs|src/client/mod\.rs'
lint=(-Z unstable-options -Zcrate-attr="feature(rustdoc_missing_doc_code_examples)" -W rustdoc::missing-doc-code-examples)
missing=$(
  {
    cargo +nightly rustdoc --quiet --lib --features serde -- "${lint[@]}" 2>&1
    cargo +nightly rustdoc --quiet --lib --target wasm32-unknown-unknown --features client -- "${lint[@]}" 2>&1
  } | grep -A1 '^warning: missing code example' | grep -oE -- "--> ($api):[0-9]+" | sort -u || true
)
if [ -n "$missing" ]; then
  echo "check-doc-examples: these items of the Rust API have no example:"
  echo "$missing" | sed 's/^--> /  /'
  exit 1
fi
echo "check-doc-examples: every item of the documented Rust API has an example"
