# The live traffic generator (`lab-generate --follow`), for the lab's traffic container (lab:live,
# lab/traffic.ts). Two stages: the build installs the locked dependencies and bundles the generator
# into one JavaScript file; the image that runs holds Node and that file only, and runs as `node`.
#
#   docker build -t lab-traffic .
#   docker run --rm lab-traffic --help

# Node's official image, Debian 12 slim, pinned to a release (engines: node >= 20.19).
ARG NODE_IMAGE=node:22.20.0-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# Exactly the lockfile's versions; no install scripts are needed to bundle.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY generator ./generator
COPY verify ./verify
COPY docker ./docker
# esbuild comes with tsx, a dependency of the project. The bundle holds the generator and what it
# imports (the Elasticsearch client, commander, cli-progress), and nothing else.
RUN node_modules/.bin/esbuild docker/lab-generate.ts --bundle --platform=node --target=node20 --log-level=warning --outfile=dist/lab-generate.cjs \
 && node dist/lab-generate.cjs --help > /dev/null

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
# A small heap that V8 collects before it grows: flat at about 116 MB RSS at ten times the default
# rate, where Node's defaults reach 205 MB (generator/follow.ts FOLLOW_NODE_OPTIONS, npm run bench -- follow).
ENV NODE_OPTIONS="--max-old-space-size=96 --max-semi-space-size=4"
WORKDIR /app
# Owned by root (mode 644), so the user that runs it cannot change it.
COPY --from=build /src/dist/lab-generate.cjs ./lab-generate.cjs
# The image's unprivileged user (uid 1000), never root.
USER node
# `docker stop` sends SIGTERM to Node, which runs as PID 1 here: the generator handles it, flushes and exits.
ENTRYPOINT ["node", "/app/lab-generate.cjs"]
