#!/usr/bin/env bash
# Reporting at province scale (issue 12), in one command: builds release, creates the database
# `motcua_bench` on an existing PostgreSQL (default postgres://postgres@127.0.0.1:5432, trust
# auth; no other database is touched), starts `motcua serve reporting` on its own loopback
# ports (18084/19084, so a `motcua up` on 8081–8084 is not disturbed) with a fresh random JWT
# secret, waits for /readyz, signs an inspector token with the same secret, runs
# `reporting-bench` (load 10 million facts unless present, rebuild, report vs baseline),
# and stops the service.
#
#   bench/reporting.sh                      # 10 million dossiers, 20 runs
#   bench/reporting.sh --dossiers 100000    # any reporting-bench option passes through
#
# The database stays (≈ 6 GB for 10 million facts), so a second run skips the load; drop it
# with: psql postgres://postgres@127.0.0.1:5432/postgres -c 'DROP DATABASE motcua_bench'
set -euo pipefail
cd "$(dirname "$0")/.."

PG_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}
DB=${BENCH_DB:-motcua_bench}
REST_PORT=${BENCH_REST_PORT:-18084}
GRPC_PORT=${BENCH_GRPC_PORT:-19084}
LOG=target/reporting-bench-serve.log

cargo build --release -p motcua -p motcua-bench

exists=$(psql "$PG_URL/postgres" -v ON_ERROR_STOP=1 -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'")
[ "$exists" = 1 ] || psql "$PG_URL/postgres" -v ON_ERROR_STOP=1 -qc "CREATE DATABASE $DB"

export DATABASE_URL="$PG_URL/$DB"
MOTCUA_JWT_SECRET=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
export MOTCUA_JWT_SECRET
export MOTCUA_REPORTING_REST_ADDR=127.0.0.1:$REST_PORT
export MOTCUA_REPORTING_GRPC_ADDR=127.0.0.1:$GRPC_PORT

RUST_LOG=${RUST_LOG:-warn} ./target/release/motcua serve reporting >"$LOG" 2>&1 &
serve=$!
trap 'kill -TERM $serve 2>/dev/null || true; wait $serve 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$REST_PORT/readyz" >/dev/null 2>&1 && break
  kill -0 $serve 2>/dev/null || { echo "motcua serve reporting exited:" >&2; cat "$LOG" >&2; exit 1; }
  sleep 1
done
curl -fsS "http://127.0.0.1:$REST_PORT/readyz" >/dev/null

TOKEN=$(./target/release/motcua token --role inspector --sub bench --ttl 1d)
./target/release/reporting-bench --url "http://127.0.0.1:$REST_PORT" --token "$TOKEN" "$@"
echo "service log: $LOG"
