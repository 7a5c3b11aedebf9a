# Build stage: the release binary. SQLite and libpq are compiled from source into it
# (bundled); libpq's TLS uses the system OpenSSL, whose headers the build needs (the rust
# image has them; named here so the build does not depend on that).
FROM rust:1.95-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libssl-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first, in their own layer: a change to our code does not rebuild them.
COPY Cargo.toml Cargo.lock ./
COPY .cargo .cargo
COPY crates/domain/Cargo.toml crates/domain/
COPY crates/persistence/Cargo.toml crates/persistence/
COPY crates/api/Cargo.toml crates/api/
COPY crates/server/Cargo.toml crates/server/
COPY tests/Cargo.toml tests/
RUN for c in domain persistence api server; do mkdir -p crates/$c/src && touch crates/$c/src/lib.rs; done \
    && echo 'fn main() {}' > crates/server/src/main.rs \
    && mkdir -p crates/api/examples tests/src tests/api \
    && echo 'fn main() {}' > crates/api/examples/argon2_rate.rs \
    && touch tests/src/lib.rs tests/api/main.rs \
    && cargo build --release --locked -p server --bin lokal-willkommen
# Then our code (touched, so cargo does not take the placeholders' build for it).
COPY . .
RUN touch crates/*/src/lib.rs crates/server/src/main.rs \
    && cargo build --release --locked -p server --bin lokal-willkommen

# Runtime stage: a slim image running as an unprivileged user. The data folder exists and
# belongs to that user, so a named volume mounted there inherits the ownership (the token
# signing key is generated into it on first start unless LW_JWT_KEY_FILE is set).
FROM debian:bookworm-slim
# No libpq package: it is inside the binary. libssl3 is what the binary links for
# PostgreSQL TLS; ca-certificates lets `sslrootcert=system` verify a managed database.
RUN apt-get update && apt-get install -y --no-install-recommends libssl3 ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/lokal-willkommen --create-home lw \
    && install -d -o lw -g lw /var/lib/lokal-willkommen/data
COPY --from=build /src/target/release/lokal-willkommen /usr/local/bin/lokal-willkommen
USER lw
WORKDIR /var/lib/lokal-willkommen
ENV LW_BIND=0.0.0.0:8080 \
    LW_DATA_DIR=/var/lib/lokal-willkommen/data \
    LW_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=3 --start-period=30s CMD ["lokal-willkommen", "healthcheck"]
ENTRYPOINT ["lokal-willkommen"]
CMD ["serve"]
