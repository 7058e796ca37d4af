#!/usr/bin/env bash
# Installs what a fresh machine lacks for building and testing; quiet when all is there.
set -euo pipefail
cd "$(dirname "$0")/.."

want_bindgen=$(sed -n 's/^wasm-bindgen = .*"=\([0-9.]*\)".*/\1/p' Cargo.toml)
[ -n "$want_bindgen" ] || { echo "setup: no exact wasm-bindgen version (=x.y.z) found in Cargo.toml" >&2; exit 1; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  echo "setup: adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

have_bindgen=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have_bindgen" != "$want_bindgen" ]; then
  echo "setup: installing wasm-bindgen-cli $want_bindgen (found: ${have_bindgen:-none}); this takes about 2 minutes"
  cargo install wasm-bindgen-cli --version "$want_bindgen" --force
fi

# What only the tests need (`setup.sh --browsers`): Chromium (+ ChromeDriver for
# wasm-bindgen-test), Firefox ESR, redis-server and valgrind (make bench-icount), from
# Debian's packages.
if [ "${1:-}" = "--browsers" ]; then
  missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
  command -v firefox-esr >/dev/null 2>&1 || missing+=(firefox-esr)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  command -v valgrind >/dev/null 2>&1 || missing+=(valgrind)
  # Nightly rustdoc's missing-doc-code-examples lint (scripts/check-doc-examples.sh),
  # also over the wasm32 Rust API.
  if ! rustup toolchain list | grep -q '^nightly'; then
    echo "setup: installing the nightly toolchain (minimal profile)"
    rustup toolchain install nightly --profile minimal
  fi
  if ! rustup target list --installed --toolchain nightly | grep -qx wasm32-unknown-unknown; then
    echo "setup: adding the wasm32-unknown-unknown target to nightly"
    rustup target add wasm32-unknown-unknown --toolchain nightly
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]} from Debian's packages"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi

# npm packages of the build and tests, from the committed lock files.
for dir in . tests/js; do
  if [ -f "$dir/package-lock.json" ]; then
    stamp="$dir/node_modules/.lock-stamp"
    if [ ! -f "$stamp" ] || ! cmp -s "$dir/package-lock.json" "$stamp"; then
      echo "setup: npm ci in $dir"
      (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
      cp "$dir/package-lock.json" "$stamp"
    fi
  fi
done
