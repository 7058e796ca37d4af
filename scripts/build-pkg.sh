#!/usr/bin/env bash
# Builds the npm package into pkg/: the release wasm through wasm-bindgen (web
# target) and wasm-opt, one self-contained file per kind of runtime
# (scripts/bundle-pkg.mjs), the types, and package.json from pkg-template/ with
# the version of Cargo.toml.
#
# The npm build exports synchronous functions only (Core, in src/wasm/); the JS driver
# in pkg-template/src performs fetch, timers and abort around it.
#
#   index.mjs   ES module, the wasm inlined: bundlers, browsers, Node.js import, Deno, Bun, pages by URL
#   index.cjs   CommonJS, the wasm inlined: require()
#   edge.mjs    imports connectsafely_wasm_bg.wasm as a compiled module: workerd, Vercel/Next.js edge
# Nothing runs at import: the wasm is compiled and instantiated on first use.
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
cargo build --release --target wasm32-unknown-unknown --features npm --quiet
wasm=target/wasm32-unknown-unknown/release/connectsafely_wasm.wasm

glue=target/bindgen
rm -rf "$glue" pkg
mkdir -p "$glue" pkg
wasm-bindgen --target web --out-dir "$glue" "$wasm"
node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue --strip-producers --strip-target-features \
  "$glue/connectsafely_wasm_bg.wasm" -o "$glue/connectsafely_wasm_bg.wasm"

# The facade instantiates the module itself on first use, with these two of the glue.
node scripts/short-names.mjs "$glue"
grep -q '^function __wbg_get_imports()' "$glue/connectsafely_wasm.js" && grep -q '^function __wbg_finalize_init(instance, module)' "$glue/connectsafely_wasm.js" \
  || { echo "build-pkg: wasm-bindgen's web glue changed shape (__wbg_get_imports / __wbg_finalize_init)" >&2; exit 1; }
echo 'export { __wbg_get_imports, __wbg_finalize_init };' >> "$glue/connectsafely_wasm.js"

node scripts/bundle-pkg.mjs "$glue" pkg
cp "$glue/connectsafely_wasm_bg.wasm" pkg/

# Types: the public declarations, written for the JS driver (pkg-template/src/index.d.ts,
# checked against the Rust enums by tests/boundary.rs), once for ESM and once for CJS.
cp pkg-template/src/index.d.ts pkg/index.d.ts
cp pkg-template/src/index.d.ts pkg/index.d.cts
for adapter in redis durable-object indexeddb; do
  cp "pkg-template/src/$adapter.d.ts" "pkg/$adapter.d.ts"
  sed 's|from "./index.js"|from "./index.cjs"|' "pkg-template/src/$adapter.d.ts" > "pkg/$adapter.d.cts"
done

cp pkg-template/README.md LICENSE CHANGELOG.md pkg/
sed "s/\"version\": \"0.0.0-from-cargo\"/\"version\": \"$version\"/" pkg-template/package.json > pkg/package.json
gz() { gzip -9c "$1" | wc -c; }
echo "pkg: connectsafely-wasm@$version in pkg/: wasm $(wc -c < pkg/connectsafely_wasm_bg.wasm) bytes ($(gz pkg/connectsafely_wasm_bg.wasm) gzipped); index.mjs $(wc -c < pkg/index.mjs) bytes ($(gz pkg/index.mjs) gzipped)"
