# One image for every service (k8s/base/services): the Deployment's command picks the app.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.base.json tsconfig.json ./
COPY libs libs
COPY apps apps
COPY rubrics rubrics
USER node
EXPOSE 3000
