#!/usr/bin/env bash
# Replays scenarios into fresh desks and dumps what the detector made of them.
#   [REPO=<tree>] DB=main ./run.sh low mid-1 ...     (no names: every scenario file)
#   KEEP=0 removes each desk's data dir after its dump (the set's desks take ~2.3 GB).
# Each scenario: a new data dir + SQLite DB, `throughline replay --speed max`, then a server
# without workers (so nothing moves after the replay) answers the REST API for dump.mjs.
# Output: out/$DB/<scenario>.problems.json, .replay.log (stderr+stdout, time taken).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="${REPO:-$(cd "$HERE/../.." && pwd)}"
DB="${DB:-main}"
PORT="${PORT:-18950}"
OUT="$HERE/out/$DB"
DATA="$HERE/data/$DB"
# DRAW=b replays the fresh draw in scenarios-b/ (gen.mjs).
SCEN="$HERE/scenarios${DRAW:+-$DRAW}"
mkdir -p "$OUT" "$DATA"
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for f in "$SCEN"/*.jsonl; do names+=("$(basename "$f" .jsonl)"); done
fi
# The tree runs from its TypeScript sources: uncommitted edits count, so a dirty tree says so.
# A tree without .git (a `git archive` export) is named by COMMIT.
commit="${COMMIT:-$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)}"
if [ -z "${COMMIT:-}" ] && [ -n "$(git -C "$REPO" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  commit="$commit+dirty"
fi
for name in "${names[@]}"; do
  file="$SCEN/$name.jsonl"
  [ -f "$file" ] || { echo "no scenario file $file" >&2; exit 2; }
  dir="$DATA/$name"
  rm -rf "$dir" && mkdir -p "$dir"
  export THROUGHLINE_DATABASE_URL="sqlite:$dir/desk.db" THROUGHLINE_DEMO=false LOG_LEVEL=warn
  log="$OUT/$name.replay.log"
  echo "== $name ($(wc -l <"$file") lines) on $REPO @ $commit" | tee "$log"
  t0=$(date +%s)
  if ! node "$REPO/bin/throughline.js" replay "$file" --speed max >>"$log" 2>&1; then
    echo "replay FAILED for $name (see $log)" | tee -a "$log"
    continue
  fi
  t1=$(date +%s)
  echo "replay seconds: $((t1 - t0))" | tee -a "$log"
  token="$(node "$REPO/bin/throughline.js" token create --name qa3-dump --expires-in 1d)"
  THROUGHLINE_PIPELINE_WORKERS=false PORT="$PORT" HOST=127.0.0.1 \
    node "$REPO/bin/throughline.js" serve >"$dir/serve.log" 2>&1 &
  spid=$!
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
    sleep 0.5
  done
  if node "$HERE/dump.mjs" "http://127.0.0.1:$PORT" "$token" "$name" "$commit" >"$OUT/$name.problems.json.tmp"; then
    mv "$OUT/$name.problems.json.tmp" "$OUT/$name.problems.json"
  else
    echo "dump FAILED for $name" | tee -a "$log"
  fi
  kill "$spid" 2>/dev/null || true
  wait "$spid" 2>/dev/null || true
  echo "total seconds: $(($(date +%s) - t0))" | tee -a "$log"
  if [ "${KEEP:-1}" = "0" ]; then rm -rf "$dir"; fi
done
