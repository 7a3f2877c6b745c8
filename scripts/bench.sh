#!/usr/bin/env bash
# npm run bench [name ...]: runs the named benchmarks (physics, cycles, model, replay, store, cells-json, pipeline, ingest, live, standalone, safety), or all of them.
set -euo pipefail
cd "$(dirname "$0")/.."
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(physics cycles model replay store cells-json pipeline ingest live standalone safety)
for name in "${names[@]}"; do
  echo "== bench:$name"
  npm run --silent "bench:$name"
done
