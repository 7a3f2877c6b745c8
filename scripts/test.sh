#!/usr/bin/env bash
# npm test: installs and starts the real servers the suite needs, builds, runs every test, stops the servers.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${SANDGLASS_SKIP_SERVICES:-0}" != 1 ]; then
  was_up=0
  bash scripts/services.sh status | grep -q 'influxd: up' && was_up=1
  eval "$(bash scripts/services.sh up | sed 's/^/export /')"
  [ "$was_up" = 1 ] || trap 'bash scripts/services.sh down' EXIT
fi
npm run --silent build
mkdir -p test-results
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json "$@" || status=$?
# A plain closing line any CI can read.
node -e '
  const r = JSON.parse(require("fs").readFileSync("test-results/vitest.json", "utf8"));
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' 2>/dev/null || true
exit "$status"
