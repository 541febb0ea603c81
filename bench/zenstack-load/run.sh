#!/usr/bin/env bash
# The same bounded load against `zgen serve` and ZenStack's own server, on
# loopback, each on a fresh SQLite file made by `zgen db push`.
#
#   bench/zenstack-load/run.sh [SECONDS] [CLIENTS]
#
# Needs: `cargo build --release -p zgen-cli --bin zgen`,
# `cargo build --release -p zgen-server --example load`, and
# `npm ci --legacy-peer-deps` in this folder (Node 20).
set -euo pipefail
cd "$(dirname "$0")"
duration=${1:-30}
clients=${2:-8}
root=../..
zgen=$root/target/release/zgen
load=$root/target/release/examples/load
export ZGEN_JWT_SECRET=load-test-secret-0123456789abcdef0123
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT

if [ ! -f generated/schema.ts ]; then
    # The ZenStack CLI needs Object.groupBy, which Node 20 lacks.
    NODE_OPTIONS=--require=../../tests/zenstack/polyfill.cjs npx zen generate --schema ./schema.zmodel --output ./generated >/dev/null
fi

wait_for() {
    for _ in $(seq 1 100); do
        if curl -fs "http://127.0.0.1:$1/health" >/dev/null; then return 0; fi
        sleep 0.1
    done
    echo "server on port $1 did not start" >&2
    return 1
}

"$zgen" db push --url "sqlite:$tmp/zgen.db" schema.zmodel >/dev/null
"$zgen" serve schema.zmodel --db "sqlite:$tmp/zgen.db" --listen 127.0.0.1:18080 --color never 2>"$tmp/zgen.log" &
zgen_pid=$!
wait_for 18080
"$load" --url http://127.0.0.1:18080/api/model --secret "$ZGEN_JWT_SECRET" --seconds "$duration" --clients "$clients" --label "zgen serve"
kill -TERM "$zgen_pid"
wait "$zgen_pid"

"$zgen" db push --url "sqlite:$tmp/zenstack.db" schema.zmodel >/dev/null
node server.mjs "$tmp/zenstack.db" 18081 2>"$tmp/zenstack.log" &
node_pid=$!
wait_for 18081
"$load" --url http://127.0.0.1:18081/api/model --secret "$ZGEN_JWT_SECRET" --seconds "$duration" --clients "$clients" --label "ZenStack 3.9.4 (Node $(node --version))"
kill -TERM "$node_pid"
wait "$node_pid" || true
