# One image build for the monorepo; a target per app.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Optional packages stay: the DuckDB binary of the embedded store ships in one.
RUN npm ci
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/libs/model/weights ./libs/model/weights
USER node

FROM runtime AS ingest
ENV SANDGLASS_DATA_DIR=/var/lib/sandglass
CMD ["node", "dist/apps/ingest/src/main.js"]

FROM runtime AS api
COPY --from=build /app/apps/dashboard/dist ./apps/dashboard/dist
CMD ["node", "dist/apps/api/src/main.js"]
