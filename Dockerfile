# Build stage: compile the release binary.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p portalen --bin portalen

# Run stage: a small image with the binary only, as an unprivileged user.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home /var/lib/portalen --create-home portalen \
 && install -d -o portalen -g portalen /var/lib/portalen/data
COPY --from=build /src/target/release/portalen /usr/local/bin/portalen
USER portalen
WORKDIR /var/lib/portalen
ENV BIND_ADDR=0.0.0.0:8080 LOG_FORMAT=json PORTALEN_DATA_DIR=/var/lib/portalen/data
EXPOSE 8080
# The data directory holds the development signing key (and the embedded
# database without DATABASE_URL): mount a volume here so it outlives the
# container.
VOLUME ["/var/lib/portalen/data"]
ENTRYPOINT ["/usr/local/bin/portalen"]
CMD ["serve"]
