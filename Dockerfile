# syntax=docker/dockerfile:1
# Ariadne all-in-one image: `docker build -t ariadne:0.1.0 .`
# Build stage: all dependencies, the web UI bundle, then only the runtime dependencies kept.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Install scripts are not needed: native parts (DuckDB, the bundler) ship as platform packages.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY bin ./bin
COPY cmd ./cmd
COPY src ./src
COPY proto ./proto
COPY idl ./idl
COPY ui ./ui
RUN npm run build:ui \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -rf ui/node_modules

# Runtime stage: Node.js, the sources (run through tsx), runtime dependencies and the built UI.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    ARIADNE_DATA_DIR=/var/lib/ariadne
WORKDIR /app
COPY --from=build /app/package.json /app/tsconfig.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/bin ./bin
COPY --from=build /app/cmd ./cmd
COPY --from=build /app/src ./src
COPY --from=build /app/proto ./proto
COPY --from=build /app/idl ./idl
COPY --from=build /app/ui/dist ./ui/dist
# Pure formatting helpers the server shares with the UI (a trace page's first screen).
COPY --from=build /app/ui/src/model ./ui/src/model
RUN ln -s /app/bin/ariadne.js /usr/local/bin/ariadne \
 && mkdir -p /var/lib/ariadne \
 && chown 10001:10001 /var/lib/ariadne
# A numeric user, so Kubernetes can check runAsNonRoot without a passwd lookup.
USER 10001:10001
VOLUME ["/var/lib/ariadne"]
# Zipkin, Jaeger query and UI, admin, Jaeger HTTP, Jaeger gRPC, Jaeger agent UDP (compact, binary),
# OTLP gRPC, OTLP HTTP, remote sampling.
EXPOSE 9411 16686 14269 14268 14250 6831/udp 6832/udp 4317 4318 5778
ENTRYPOINT ["ariadne"]
CMD ["all-in-one"]
