#!/bin/sh
# Chat latency across two nodes: an admin's message on node 1 until the participant's widget socket on node 2 has
# it; p50/p99 over 1,000 messages (target p99 < 200 ms). Builds nothing: run
# ./mvnw -B -DskipTests package -pl bench -am (or install) first. Uses a fresh database on COHORT_TEST_DB_URL when
# set, an embedded PostgreSQL otherwise. Usage:
#   bench/chat-latency.sh [--messages N] [--warmup N]
set -e
ROOT=$(cd "$(dirname "$0")/.." && pwd -P)
if [ ! -d "$ROOT/bench/target/classes" ] || [ ! -d "$ROOT/bench/target/lib" ] || [ ! -d "$ROOT/bench/target/bundles" ]; then
  echo "bench is not built: run ./mvnw -B -DskipTests package -pl bench -am first" >&2
  exit 2
fi
if [ -n "${JAVA_HOME:-}" ]; then JAVA=$JAVA_HOME/bin/java; else JAVA=java; fi
exec "$JAVA" -Dbench.bundles="$ROOT/bench/target/bundles" -cp "$ROOT/bench/target/classes:$ROOT/bench/target/lib/*" \
  io.cohort.bench.ChatLatencyBench "$@"
