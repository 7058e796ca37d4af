#!/usr/bin/env bash
# Every test suite, in order of speed; exit 0 only if all pass.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${TEST_PORT:-18787}

echo "== native Rust: the core (with and without serde) and its fast path's crate (scan/)"
cargo test --quiet
cargo test --quiet --features serde
cargo test --quiet -p connectsafely-scan

echo "== clippy (no unwrap, expect, panic or indexing in the library)"
cargo clippy --quiet --workspace --all-targets --features serde -- -D warnings
cargo clippy --quiet --target wasm32-unknown-unknown --features npm --lib -- -D warnings
cargo clippy --quiet --target wasm32-unknown-unknown --features npm,validator --lib --target-dir target/validate -- -D warnings
cargo clippy --quiet --target wasm32-unknown-unknown --features npm,sender --lib --target-dir target/one -- -D warnings
cargo clippy --quiet --target wasm32-unknown-unknown --features client --lib -- -D warnings

echo "== docs: cargo doc with no warnings (the core with serde, and the Rust API)"
RUSTDOCFLAGS="-D warnings" cargo doc --quiet --no-deps --features serde
RUSTDOCFLAGS="-D warnings" cargo doc --quiet --no-deps -p connectsafely-scan
RUSTDOCFLAGS="-D warnings" cargo doc --quiet --no-deps --target wasm32-unknown-unknown --features client
echo "== docs: every item of the Rust API has an example (nightly rustdoc lint); the Rust API's compiled for wasm32"
./scripts/check-doc-examples.sh
cargo test --quiet --doc --target wasm32-unknown-unknown --features client client/mod.rs
echo "== the crates as crates.io would get them (cargo package: the file lists, then a build from them)"
cargo package --quiet --allow-dirty --workspace

echo "== the npm package"
./scripts/build-pkg.sh
node scripts/size-budget.mjs
echo "== ready to publish: one version everywhere, npm publish --dry-run (cargo package ran above)"
node scripts/check-release.mjs
node scripts/check-driver.mjs
node scripts/readme-setups.mjs --check
mkdir -p tests/js/node_modules
ln -sfn ../../../pkg tests/js/node_modules/connectsafely-wasm

echo "== against the sandbox API on 127.0.0.1:$port"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  ./scripts/with-sandbox.sh "$port" bash -c '
    set -e
    echo "== the Rust API (Client, on gloo-net) in Node.js (wasm-bindgen-test)"
    cargo test --target wasm32-unknown-unknown --features client,npm --test node
    echo "== the Rust API in headless Chromium (wasm-bindgen-test)"
    CHROMEDRIVER=${CHROMEDRIVER:-$(command -v chromedriver)} cargo test --target wasm32-unknown-unknown --features client,npm --test browser
    echo "== the Rust API in headless Firefox ESR (wasm-bindgen-test, served to Firefox by scripts/firefox-test-runner.mjs)"
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=$PWD/scripts/firefox-test-runner.mjs cargo test --target wasm32-unknown-unknown --features client,npm --test browser
    echo "== the package from JavaScript (node --test)"
    node --test --test-concurrency=1 tests/js/
  '

echo "== the soak: 100,000 validations, 10,000 sends and 50 runs to many in one process; both cores' wasm memory and the JS heap stay flat (make soak)"
node --expose-gc tests/soak/soak.mjs 2>&1 | grep -v "^connectsafely-wasm:"

echo "== the Rust API's examples (a browser app, a Worker), run by the matrix"
./scripts/build-examples.sh

echo "== the packed npm package in every runtime, bundler and framework, and the Rust examples (tests/matrix)"
node tests/matrix/run.mjs

echo "== the demo page in headless Chromium and Firefox ESR, served by make demo (tests/demo)"
DEMO_PORT=${DEMO_PORT:-18788} node --test --test-concurrency=1 tests/demo/
