#!/bin/sh
# Regenerates the static protobuf modules in proto/gen/ from the .proto copies in proto/.
# Run from the repository root: sh proto/gen-proto.sh
set -eu
cd "$(dirname "$0")/.."
OPTS="-t static-module -w es6 --es6 --no-verify --no-convert --no-delimited --no-service"
gen() {
  name=$1; root=$2; shift 2
  npx pbjs $OPTS --root "$root" -o "proto/gen/$name.js" "$@"
  npx pbts --no-comments -o "proto/gen/$name.d.ts" "proto/gen/$name.js"
}
mkdir -p proto/gen
gen otlp otlp -p proto/opentelemetry proto/opentelemetry/opentelemetry/proto/collector/trace/v1/trace_service.proto
gen jaeger jaeger -p proto/jaeger/api_v2 proto/jaeger/api_v2/collector.proto
gen zipkin zipkin proto/zipkin/zipkin.proto
