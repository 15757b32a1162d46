#!/usr/bin/env bash
# Benchmark runner: builds the reactor (tests skipped) and runs the bench module's main class
# against the real node with stand-in gateways and a fake Bot API. Flags: see bench/README or
# `scripts/bench.sh --help`. Loopback only; ≈ 1–2 minutes with the defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${BENCH_SKIP_BUILD:-}" != "1" ]]; then
  mvn -B -q -pl bench -am -DskipTests package
fi
# the app's jar is shaded (it holds every dependency again): use its classes instead
classpath="$(sed 's#[^:]*/app/target/clawhive\.jar#app/target/classes#' bench/target/classpath.txt)"
# BENCH_JAVA_OPTS: extra JVM options, split on spaces
read -r -a java_opts <<< "${BENCH_JAVA_OPTS:--Xmx2g}"
exec java "${java_opts[@]}" -Dclawhive.config=config.yml \
  -cp "bench/target/classes:$classpath" io.clawhive.bench.Bench "$@"
