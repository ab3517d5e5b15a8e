# syntax=docker/dockerfile:1.7
# auditpack CLI and worker image: multi-stage, non-root, with the fonts the PDF packs embed and the tools an
# auditor's verification commands use (openssl, unzip, pdfsig).

FROM node:20.20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20.20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY worker ./worker
COPY examples ./examples
RUN npm run build

FROM node:20.20-bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-dejavu-core fonts-droid-fallback openssl unzip poppler-utils ca-certificates tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true \
    AUDITPACK_STORE=/data/store
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY frameworks ./frameworks
COPY templates ./templates
RUN groupadd --system --gid 10001 auditpack \
 && useradd --system --uid 10001 --gid auditpack --home-dir /data --shell /usr/sbin/nologin auditpack \
 && mkdir -p /data/store && chown -R auditpack:auditpack /data
USER 10001:10001
VOLUME ["/data"]
ENTRYPOINT ["/usr/bin/tini", "--", "node", "dist/src/cli/main.js"]
CMD ["--help"]
