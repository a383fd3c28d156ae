#!/bin/sh
# Cold-start benchmark of the unpacked distribution. Builds nothing: run
#   ./mvnw -B -DskipTests install
# first. Usage:
#   bench/cold-start.sh [DIST_DIR] [--runs N] [--mode embedded|external|both] [--timeout S] [--keep]
# DIST_DIR defaults to distribution/target/cohort-*/ (the unpacked directory).
# External mode uses COHORT_BENCH_DB_URL (default jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres).
set -e
ROOT=$(cd "$(dirname "$0")/.." && pwd -P)

if [ ! -d "$ROOT/bench/target/classes" ] || [ ! -d "$ROOT/bench/target/lib" ]; then
  echo "bench is not built: run ./mvnw -B -DskipTests install first" >&2
  exit 2
fi

case ${1:-} in
  ''|-*)
    DIST=
    for d in "$ROOT"/distribution/target/cohort-*/; do
      [ -x "${d}bin/cohort" ] && DIST=${d%/}
    done
    if [ -z "$DIST" ]; then
      echo "no unpacked distribution under distribution/target/: run ./mvnw -B -DskipTests install first" >&2
      exit 2
    fi
    set -- "$DIST" "$@"
    ;;
esac

if [ -n "${JAVA_HOME:-}" ]; then JAVA=$JAVA_HOME/bin/java; else JAVA=java; fi
exec "$JAVA" -cp "$ROOT/bench/target/classes:$ROOT/bench/target/lib/*" io.cohort.bench.ColdStart "$@"
