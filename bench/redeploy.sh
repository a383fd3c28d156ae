#!/bin/sh
# Redeploy soak: the campaigns plugin deployed, used and undeployed N times on a running distribution; prints the
# heap after a full GC (jcmd) and Felix's live BundleImpl count every M cycles (target: within 5 MB after 100).
# Builds nothing: run ./mvnw -B -DskipTests install first. Uses COHORT_TEST_DB_URL's server when set. Usage:
#   bench/redeploy.sh [--cycles 100] [--every 50] [DIST_DIR]
set -e
ROOT=$(cd "$(dirname "$0")/.." && pwd -P)
if [ ! -d "$ROOT/bench/target/classes" ] || [ ! -d "$ROOT/bench/target/lib" ]; then
  echo "bench is not built: run ./mvnw -B -DskipTests install first" >&2
  exit 2
fi
DIST=$(ls -d "$ROOT"/distribution/target/cohort-*/ 2>/dev/null | head -n 1)
case "${1:-}" in /*|./*) DIST=$1; shift ;; esac
if [ -n "${JAVA_HOME:-}" ]; then JAVA=$JAVA_HOME/bin/java; else JAVA=java; fi
exec "$JAVA" -Dcohort.distribution="$DIST" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "$ROOT/bench/target/classes:$ROOT/bench/target/lib/*" io.cohort.bench.RedeployBench "$@"
