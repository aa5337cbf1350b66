# syntax=docker/dockerfile:1

# ---- build -------------------------------------------------------------------
FROM debian:12 AS build
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
        build-essential cmake pkg-config python3 python3-yaml nodejs npm \
        libulfius-dev libjansson-dev libpq-dev libjwt-dev \
        liborcania-dev libyder-dev libmicrohttpd-dev libgnutls28-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# Drop host build trees and local state that may have been copied in.
RUN rm -rf build build-* .local \
 && cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
 && cmake --build build --target isms -j"$(nproc)"

# ---- runtime -----------------------------------------------------------------
FROM debian:12-slim
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
        libulfius2.7 libmicrohttpd12 libjansson4 libpq5 libjwt0 \
        liborcania2.3 libyder2.0 ca-certificates curl \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/build/isms /usr/local/bin/isms
USER nobody
ENV BIND_ADDRESS=0.0.0.0 \
    PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD curl -fsS "http://127.0.0.1:${PORT}/healthz" || exit 1
ENTRYPOINT ["/usr/local/bin/isms"]
