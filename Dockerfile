# One image for every service (docker-compose.yml, k8s/base/services): the command picks the app.
# The Node release is pinned to an exact version (the one the tests run on); bump it deliberately.
FROM node:20.20.2-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY tsconfig.base.json tsconfig.json ./
COPY libs libs
COPY apps apps
COPY rubrics rubrics
COPY workloads workloads
# The files stay root's and read-only to the services, which run as the image's unprivileged user `node` (uid 1000).
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=6 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
