#!/usr/bin/env bash
# Builds the npm package into pkg/: the release wasm through wasm-bindgen and
# wasm-opt, one entry point per kind of runtime, and package.json from
# pkg-template/ with the version of Cargo.toml.
#
#   node/     wasm-bindgen --target nodejs (CommonJS; reads the .wasm beside it)  Node require/import, Bun
#   web/      wasm-bindgen --target web (ES module)
#     index.js    by URL from <script type="module">: fetches the .wasm beside it
#     inline.js   bundlers (Vite, esbuild, ...) and Deno: the wasm inlined, no plugin, no permission
#   workerd/  Cloudflare Workers: imports the .wasm as a compiled module, initSync
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
# wasm-bindgen copies JS snippets as written (ES modules); the CommonJS build needs them as CommonJS.
node scripts/esm-snippet-to-cjs.mjs $(find pkg/node/snippets -name '*.js')
# Every entry passes the wasm to init explicitly; without this default, bundlers
# do not copy a second copy of the .wasm as an asset next to the inlined one.
sed -i "s|module_or_path = new URL('connectsafely_wasm_bg.wasm', import.meta.url);|throw new Error('connectsafely-wasm: init needs the wasm');|" pkg/web/connectsafely_wasm.js
grep -q "init needs the wasm" pkg/web/connectsafely_wasm.js || { echo "build-pkg: the web glue changed shape; update the sed above" >&2; exit 1; }

cp pkg-template/node/* pkg/node/
cp pkg-template/web/index.js pkg/web/index.js
mkdir -p pkg/workerd && cp pkg-template/workerd/index.js pkg/workerd/index.js
node scripts/inline-wasm.mjs pkg/web/connectsafely_wasm_bg.wasm pkg-template/web/inline.js > pkg/web/inline.js

# Types: the nodejs output's declarations (with the Rust doc comments, and no init
# functions), once at the top for ESM and CJS. `[Symbol.dispose]` needs TypeScript's
# esnext.disposable lib, which most projects lack (error TS2550 under
# skipLibCheck: false); `free()` stays declared.
grep -v '\[Symbol\.dispose\]()' pkg/node/connectsafely_wasm.d.ts > pkg/index.d.ts
cp pkg/index.d.ts pkg/index.d.cts
rm -f pkg/node/connectsafely_wasm.d.ts pkg/web/connectsafely_wasm.d.ts

cp pkg-template/README.md LICENSE pkg/
sed "s/\"version\": \"0.0.0-from-cargo\"/\"version\": \"$version\"/" pkg-template/package.json > pkg/package.json
gz() { gzip -9c "$1" | wc -c; }
echo "pkg: connectsafely-wasm@$version in pkg/: wasm $(wc -c < pkg/web/connectsafely_wasm_bg.wasm) bytes ($(gz pkg/web/connectsafely_wasm_bg.wasm) gzipped), web glue $(gz pkg/web/connectsafely_wasm.js) gzipped"
