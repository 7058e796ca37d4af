#!/usr/bin/env bash
# Builds the npm package into pkg/: the release wasm through wasm-bindgen and
# wasm-opt, the entry points, and package.json from pkg-template/ with the
# version of Cargo.toml.
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
cargo build --release --target wasm32-unknown-unknown --quiet
wasm=target/wasm32-unknown-unknown/release/connectsafely_wasm.wasm

rm -rf pkg
mkdir -p pkg
for target in nodejs:node web:web; do
  out=pkg/${target#*:}
  wasm-bindgen --target "${target%%:*}" --out-dir "$out" "$wasm"
  node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$out/connectsafely_wasm_bg.wasm" -o "$out/connectsafely_wasm_bg.wasm"
  rm -f "$out/connectsafely_wasm_bg.wasm.d.ts"
done
cp pkg-template/web/index.js pkg/web/index.js
cp pkg/node/connectsafely_wasm.d.ts pkg/index.d.ts
cp pkg-template/node/index.mjs pkg/node/index.mjs
cp pkg-template/README.md pkg/README.md
cp LICENSE* pkg/ 2>/dev/null || true
sed "s/\"version\": \"0.0.0-from-cargo\"/\"version\": \"$version\"/" pkg-template/package.json > pkg/package.json
echo "pkg: connectsafely-wasm@$version built in pkg/ (wasm $(wc -c < pkg/node/connectsafely_wasm_bg.wasm) bytes)"
