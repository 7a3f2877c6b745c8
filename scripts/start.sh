#!/usr/bin/env bash
# The process of `npm start` (after the build): everything on embedded defaults, see README "Run it".
# Two malloc arenas (DuckDB's and libuv's threads otherwise each grow their own) and a 4 MB V8 young
# generation keep its memory about 35 MB lower (bench:standalone --demo) at no measurable CPU cost.
set -euo pipefail
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
exec node --max-semi-space-size=4 "$(dirname "$0")/../dist/apps/standalone/src/main.js" "$@"
