#!/usr/bin/env bash
# npm test: installs and starts the real servers the suite needs, runs every test, stops the servers.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${SANDGLASS_SKIP_SERVICES:-0}" != 1 ]; then
  was_up=0
  bash scripts/services.sh status | grep -q 'influxd: up' && was_up=1
  eval "$(bash scripts/services.sh up | sed 's/^/export /')"
  [ "$was_up" = 1 ] || trap 'bash scripts/services.sh down' EXIT
fi
npm run --silent build
npx vitest run "$@"
