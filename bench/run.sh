#!/usr/bin/env bash
# Runs the rollout benchmark (docs/benchmarks.md): builds the service, then starts it once per scenario on a
# simulated fleet and prints the figures. Not part of the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -DskipTests package
java -cp "target/quarkus-app/lib/main/*" bench/RolloutBenchmark.java "$@"
