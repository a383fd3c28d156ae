#!/bin/sh
# Results import benchmark: one results file of N workers, each approved, bonused and qualified through the
# results-import plugin, the ledger and the MTurk plugin against the MTurk emulator limited to R requests/s; the
# settle's wall time as a ratio to 3N/R. Builds nothing: run ./mvnw -B -DskipTests install first.
#   bench/results-import.sh [--workers 1000] [--rate 100]
# Uses COHORT_TEST_DB_URL's server for a fresh database when set, else an embedded PostgreSQL.
set -e
ROOT=$(cd "$(dirname "$0")/.." && pwd -P)
if [ ! -d "$ROOT/bench/target/classes" ] || [ ! -d "$ROOT/bench/target/lib" ]; then
  echo "bench is not built: run ./mvnw -B -DskipTests install first" >&2
  exit 2
fi
if [ -n "${JAVA_HOME:-}" ]; then JAVA=$JAVA_HOME/bin/java; else JAVA=java; fi
cd "$ROOT"
exec "$JAVA" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$ROOT/bench/target/classes:$ROOT/bench/target/lib/*" io.cohort.bench.ResultsImportBench "$@"
