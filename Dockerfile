# syntax=docker/dockerfile:1
# NextStack in Rust: the release binary on a slim Debian, run as a non-root user.
#   docker build -t nextstack .
#   docker run --rm -p 3001:3001 -e BETTER_AUTH_SECRET=... -e DATABASE_URL=postgres://... nextstack

FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p nextstack \
 && cp target/release/nextstack /usr/local/bin/nextstack

FROM debian:bookworm-slim
# CA roots for S3 and SMTP over TLS; nothing else (the health probe is the binary itself).
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /app --create-home nextstack \
 && mkdir -p /app/data \
 && chown -R nextstack:nextstack /app
COPY --from=build /usr/local/bin/nextstack /usr/local/bin/nextstack
USER nextstack:nextstack
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3001 \
    LOG_FORMAT=json
EXPOSE 3001
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 CMD ["nextstack", "healthcheck"]
ENTRYPOINT ["nextstack"]
CMD ["serve"]
