#!/bin/sh
# Page-submit benchmark: Cohort's form POST vs a bare Jetty + JDBC insert of the same rows, same run, same database.
# Builds nothing: run ./mvnw -B -DskipTests install first. Usage:
#   bench/page-submit.sh [--clients 500] [--seconds 20] [--warmup 5]
# Uses COHORT_TEST_DB_URL's server for a fresh database when set, else an embedded PostgreSQL.
set -e
ROOT=$(cd "$(dirname "$0")/.." && pwd -P)
if [ ! -d "$ROOT/bench/target/classes" ] || [ ! -d "$ROOT/bench/target/lib" ]; then
  echo "bench is not built: run ./mvnw -B -DskipTests install first" >&2
  exit 2
fi
if [ -n "${JAVA_HOME:-}" ]; then JAVA=$JAVA_HOME/bin/java; else JAVA=java; fi
exec "$JAVA" -Xss512k -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$ROOT/bench/target/classes:$ROOT/bench/target/lib/*" io.cohort.bench.PageSubmitBench "$@"
