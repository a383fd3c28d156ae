#!/bin/sh
# Connected participants: N open participant sockets on one node while others submit pages at a pace.
# Builds nothing: run ./mvnw -B -DskipTests install first. Usage:
#   bench/connected-participants.sh [--connected 10000] [--clients 500] [--seconds 30] [--warmup 10] [--think-ms 1000] [--dist DIR]
# Uses COHORT_TEST_DB_URL's server for a fresh database when set, else an embedded PostgreSQL.
set -e
ROOT=$(cd "$(dirname "$0")/.." && pwd -P)
if [ ! -d "$ROOT/bench/target/classes" ] || [ ! -d "$ROOT/bench/target/lib" ]; then
  echo "bench is not built: run ./mvnw -B -DskipTests install first" >&2
  exit 2
fi
if [ -n "${JAVA_HOME:-}" ]; then JAVA=$JAVA_HOME/bin/java; else JAVA=java; fi
exec "$JAVA" -Xss512k -Xmx4g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$ROOT/bench/target/classes:$ROOT/bench/target/lib/*" io.cohort.bench.ConnectedParticipantsBench "$@"
