# syntax=docker/dockerfile:1
# Plugboard's image, in three stages: dependencies (the SQLite driver compiles from source, so
# this stage has the C++ toolchain) → build (tsc to dist/, the example plugins) → a slim runtime
# that runs the compiled server as an unprivileged user, with no TypeScript loader and no compiler.
# The commands are the ones `npm test` runs: test/e2e/deploy-files.test.ts parses this file, and
# test/e2e/compiled-build.test.ts starts the server with CMD and probes it with HEALTHCHECK.
ARG NODE_VERSION=22.23.5

FROM node:${NODE_VERSION}-bookworm AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund

FROM deps AS build
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
COPY sdk-assemblyscript ./sdk-assemblyscript
COPY sdk-c ./sdk-c
COPY plugins-wasm ./plugins-wasm
COPY web ./web
RUN npm run build
RUN npm run build:wasm
RUN npm prune --omit=dev --no-audit --no-fund

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    PLUGBOARD_DATA_DIR=/var/lib/plugboard \
    LOG_LEVEL=info
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/bin ./bin
COPY --from=build /app/dist ./dist
# The web app, built by `npm run build` (Vite is a devDependency: only its output ships).
COPY --from=build /app/web/dist ./web/dist
# The SDK's AssemblyScript, scaffold and asconfig, and the examples (`plugboard seed` publishes
# them): read from the source tree by the compiled toolchain. src/ itself is not shipped, so
# bin/plugboard.js always runs dist/.
COPY --from=build /app/sdk-assemblyscript/package.json /app/sdk-assemblyscript/plugin.asconfig.json ./sdk-assemblyscript/
COPY --from=build /app/sdk-assemblyscript/assembly ./sdk-assemblyscript/assembly
COPY --from=build /app/sdk-assemblyscript/template ./sdk-assemblyscript/template
# The C SDK's header and scaffold. The image has no clang: its seed leaves the C example out.
COPY --from=build /app/sdk-c/plugboard.h ./sdk-c/
COPY --from=build /app/sdk-c/plugboard ./sdk-c/plugboard
COPY --from=build /app/sdk-c/template ./sdk-c/template
COPY --from=build --chown=node:node /app/plugins-wasm ./plugins-wasm
RUN mkdir -p /var/lib/plugboard && chown node:node /var/lib/plugboard
USER node
VOLUME /var/lib/plugboard
EXPOSE 4000
# No curl in the slim image: Node's fetch asks /ready (200 once the database answers).
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "bin/plugboard.js", "serve"]
