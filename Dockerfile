# undersigned in a container (docs/deploy.md, "With Docker"). Not built in CI: check it on your
# machine with `docker compose build`.
#
# Stage 1 builds the web app, which needs the dev dependencies (vite), then drops them.
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 downloads a prebuilt binary; these build it from source when none fits.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npx vite build --logLevel warn && npm prune --omit=dev

# Stage 2: what runs. The CLI runs the TypeScript sources through tsx (a runtime dependency).
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
RUN groupadd --system undersigned \
 && useradd --system --gid undersigned --home-dir /nonexistent --shell /usr/sbin/nologin undersigned \
 && mkdir /data && chown undersigned:undersigned /data && chmod 0700 /data
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/src ./src
USER undersigned
VOLUME ["/data"]
EXPOSE 3000
# Set UNDERSIGNED_PUBLIC_URL=https://your.domain: without it, serve refuses plain HTTP on 0.0.0.0.
ENTRYPOINT ["node", "bin/undersigned.mjs"]
CMD ["serve", "--data", "/data", "--host", "0.0.0.0", "--port", "3000"]
