#!/usr/bin/env bash
# Builds the npm package into pkg/: for each entry, the release wasm through
# wasm-bindgen (web target) and wasm-opt, one self-contained file per kind of runtime
# (scripts/bundle-pkg.mjs); the types; and package.json from pkg-template/ with the
# version of Cargo.toml.
#
# The npm build exports synchronous functions only (Core, in src/wasm/); the JS driver
# in pkg-template/src performs fetch, timers and abort around it.
#
# The wasms (scripts/entries.mjs, the one list, says which file holds which):
#   index     single sends and validation (the core's `sender` feature: no run to many,
#             store or journal compiled): index.mjs, index.cjs
#   many      the full core: many.mjs and many.cjs (which the client of index.mjs and
#             index.cjs loads on first need), edge.mjs (connectsafely_wasm_bg.wasm beside it)
#   web       the index wasm built for size (its validation fast path at opt-level z):
#             web.mjs, what pages get (the `import` condition); servers get index.mjs
#             (`node`)
#   validate  validation only (the core's `validator` feature: no send, store or run
#             compiled): validate.mjs, validate.cjs, validate-edge.mjs
#             (connectsafely_validate_bg.wasm beside it)
# Per kind of runtime:
#   *.mjs       ES module, the wasm inlined: bundlers, browsers, pages by URL (web.mjs);
#               Node.js import, Deno, Bun (index.mjs)
#   *.cjs       CommonJS, the wasm inlined: require()
#   *edge.mjs   imports the wasm as a compiled module: workerd, Vercel/Next.js edge
# Nothing runs at import: the wasm is compiled and instantiated on first use.
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
mapfile -t entries < <(node scripts/entries.mjs)

rm -rf pkg
mkdir -p pkg
for entry in "${entries[@]}"; do
  read -r name features base target glue scan <<<"$entry"
  # The fast path's opt-level for this wasm, where the entry sets one (Cargo.toml's otherwise).
  config=()
  [[ "$scan" == "-" ]] || config=(--config "profile.release.package.connectsafely-scan.opt-level=\"$scan\"")
  cargo build --release --target wasm32-unknown-unknown --features "$features" --target-dir "$target" --quiet "${config[@]}"
  rm -rf "$glue"
  mkdir -p "$glue"
  # wasm-bindgen names its output after the wasm's file name.
  cp "$target/wasm32-unknown-unknown/release/connectsafely_wasm.wasm" "$glue/$base.in.wasm"
  wasm-bindgen --target web --out-dir "$glue" --out-name "$base" "$glue/$base.in.wasm"
  rm "$glue/$base.in.wasm"
  node_modules/.bin/wasm-opt --flatten --rereloop -Oz -Oz --converge --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue --strip-producers --strip-target-features \
    "$glue/${base}_bg.wasm" -o "$glue/${base}_bg.wasm"

  # The facade instantiates the module itself on first use, with these two of the glue.
  node scripts/short-names.mjs "$glue"
  node scripts/short-strings.mjs "$glue/$base.js"
  grep -q '^function __wbg_get_imports()' "$glue/$base.js" && grep -q '^function __wbg_finalize_init(instance, module)' "$glue/$base.js" \
    || { echo "build-pkg: wasm-bindgen's web glue changed shape (__wbg_get_imports / __wbg_finalize_init)" >&2; exit 1; }
  echo 'export { __wbg_get_imports, __wbg_finalize_init };' >> "$glue/$base.js"
  # ES modules to Node.js too, which bundle-pkg.mjs imports the glue with (to read the
  # core's field names): without a "type" it would guess, or warn, or refuse.
  echo '{ "type": "module" }' > "$glue/package.json"
done
node scripts/bundle-pkg.mjs pkg

# Types: the public declarations, written for the JS driver (pkg-template/src/index.d.ts,
# checked against the Rust enums by tests/boundary.rs), once for ESM and once for CJS.
cp pkg-template/src/index.d.ts pkg/index.d.ts
cp pkg-template/src/index.d.ts pkg/index.d.cts
for adapter in validate redis durable-object indexeddb; do
  cp "pkg-template/src/$adapter.d.ts" "pkg/$adapter.d.ts"
  sed 's|from "./index.js"|from "./index.cjs"|' "pkg-template/src/$adapter.d.ts" > "pkg/$adapter.d.cts"
done

cp pkg-template/README.md LICENSE CHANGELOG.md pkg/
sed "s/\"version\": \"0.0.0-from-cargo\"/\"version\": \"$version\"/" pkg-template/package.json > pkg/package.json
gz() { gzip -9c "$1" | wc -c; }
for entry in "${entries[@]}"; do
  read -r name _ base _ glue _ <<<"$entry"
  echo "pkg: connectsafely-wasm@$version, the $name wasm: $(wc -c < "$glue/${base}_bg.wasm") bytes ($(gz "$glue/${base}_bg.wasm") gzipped)"
done
for file in index.mjs web.mjs many.mjs validate.mjs; do
  echo "pkg: $file $(wc -c < "pkg/$file") bytes ($(gz "pkg/$file") gzipped)"
done
