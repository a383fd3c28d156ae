#!/bin/sh
# Cluster submit benchmark: page submits through HAProxy (the shipped conf/loadbalancer/haproxy.cfg) to 1 node and to
# 3 nodes of the unpacked distribution on one PostgreSQL; CPU per submit; recovery after kill -9 of a node.
# Builds nothing: run ./mvnw -B -DskipTests package (or install) first. Needs /usr/sbin/haproxy. Usage:
#   bench/cluster-submit.sh [--clients 300] [--seconds 20] [--warmup 150] [--think-ms 1000] [--nodes 1,3]
#                           [--rounds 1] [--kill on|off] [--keep] [--pool TOTAL] [--node-opts JVM-OPTIONS]
# Uses COHORT_TEST_DB_URL's server (e.g. jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres) for a fresh
# database per cluster size, else an embedded PostgreSQL. --dist DIR picks another unpacked distribution than
# distribution/target/cohort-*/.
set -e
ROOT=$(cd "$(dirname "$0")/.." && pwd -P)
if [ ! -d "$ROOT/bench/target/classes" ] || [ ! -d "$ROOT/bench/target/lib" ]; then
  echo "bench is not built: run ./mvnw -B -DskipTests install first" >&2
  exit 2
fi
if [ -n "${JAVA_HOME:-}" ]; then JAVA=$JAVA_HOME/bin/java; else JAVA=java; fi
cd "$ROOT"
exec "$JAVA" -Xss512k -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "$ROOT/bench/target/classes:$ROOT/bench/target/lib/*" io.cohort.bench.ClusterSubmitBench "$@"
