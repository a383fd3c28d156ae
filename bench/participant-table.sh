#!/bin/sh
# Participants table at 100,000 participants: p50/p95/p99/max of GET /api/participants (target p95 < 50 ms).
# Builds nothing: run ./mvnw -B -DskipTests package -pl bench -am (or install) first. Uses a fresh database on
# COHORT_TEST_DB_URL when set, an embedded PostgreSQL otherwise. Usage:
#   bench/participant-table.sh [--participants N] [--requests N] [--seed N]
set -e
ROOT=$(cd "$(dirname "$0")/.." && pwd -P)
if [ ! -d "$ROOT/bench/target/classes" ] || [ ! -d "$ROOT/bench/target/lib" ]; then
  echo "bench is not built: run ./mvnw -B -DskipTests package -pl bench -am first" >&2
  exit 2
fi
if [ -n "${JAVA_HOME:-}" ]; then JAVA=$JAVA_HOME/bin/java; else JAVA=java; fi
exec "$JAVA" -cp "$ROOT/bench/target/classes:$ROOT/bench/target/lib/*" io.cohort.bench.ParticipantTableBench "$@"
