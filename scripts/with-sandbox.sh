#!/usr/bin/env bash
# Usage: scripts/with-sandbox.sh PORT command...
# Starts the sandbox API on 127.0.0.1:PORT, runs the command with CS_SANDBOX_URL
# set, stops the sandbox, and exits with the command's status.
set -uo pipefail
cd "$(dirname "$0")/.."
port=$1
shift
node sandbox/server.mjs --port "$port" >"${TMPDIR:-/tmp}/connectsafely-sandbox-$port.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
for _ in $(seq 1 100); do
  if node -e "fetch('http://127.0.0.1:$port/__sandbox/state').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))" 2>/dev/null; then
    break
  fi
  if ! kill -0 $pid 2>/dev/null; then
    echo "the sandbox did not start:" >&2
    cat "${TMPDIR:-/tmp}/connectsafely-sandbox-$port.log" >&2
    exit 1
  fi
  sleep 0.1
done
export CS_SANDBOX_URL="http://127.0.0.1:$port"
"$@"
