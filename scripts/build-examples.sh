#!/usr/bin/env bash
# Builds the Rust API's examples into target/examples/ for the matrix to run:
#   browser_form/  the Rust browser app: wasm-bindgen --target web, and index.html (the matrix's form)
#   worker/        the Rust Worker: wasm-bindgen --target web, and worker.mjs (its entry for workerd)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --target wasm32-unknown-unknown --features client --example browser_form --example worker
out=target/examples
rm -rf "$out"
for name in browser_form worker; do
  wasm-bindgen --target web --out-dir "$out/$name" "target/wasm32-unknown-unknown/debug/examples/$name.wasm"
done
{
  echo '<!doctype html>'
  echo '<html lang="en"><head><meta charset="utf-8"><title>connectsafely-wasm from Rust</title></head><body>'
  grep -v 'name="many"' tests/matrix/browser-app/form.html
  echo '<script type="module">import init from "./browser_form.js"; init();</script>'
  echo '</body></html>'
} > "$out/browser_form/index.html"
cat > "$out/worker/worker.mjs" <<'JS'
// The Rust Worker's entry: workerd hands a .wasm import over compiled.
import module from "./worker_bg.wasm";
import { initSync, fetch as handle } from "./worker.js";

initSync({ module });

export default {
  fetch: (request, env) => handle(request, env),
};
JS
echo "examples: $(ls $out)"
