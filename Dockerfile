# Builds the `keel` binary; every role runs from this one image.
FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release -p keel-api && cp target/release/keel /usr/local/bin/keel

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/*
COPY --from=build /usr/local/bin/keel /usr/local/bin/keel
USER 65534
EXPOSE 8080
ENTRYPOINT ["keel"]
CMD ["serve"]
