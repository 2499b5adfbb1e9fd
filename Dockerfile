# mustgather-webhook: one image for both containers of the Deployment
# (`serve` and `reconcile`) and the gather Job's `upload` step. Two stages on Debian 12
# so the build uses exactly the Debian packages the Makefile installs, and the runtime
# stage gets only their shared libraries.
#
#   make image                       (buildah if installed, else docker)
#   docker build -t mustgather-webhook:0.1.0 .

FROM docker.io/library/debian:bookworm AS build
# The Makefile's PACKAGES (tests are not built here, so gtest/gmock are unused but
# kept identical so the image builds what CI builds).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build pkg-config openssl ca-certificates \
      libcpp-httplib-dev libssl-dev nlohmann-json3-dev libspdlog-dev \
      libgtest-dev libgmock-dev libyaml-dev libssh-dev libarchive-dev libsimdjson-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt ./
COPY cmake/ cmake/
COPY include/ include/
COPY src/ src/
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DMGW_BUILD_TESTS=OFF -DMGW_BUILD_BENCH=OFF \
 && cmake --build /build --target mustgather-webhook -j "$(nproc)" \
 && install -D -s -m 0755 /build/mustgather-webhook /out/usr/local/bin/mustgather-webhook

FROM docker.io/library/debian:bookworm-slim
# Runtime libraries only: the binary's direct dependencies (apt adds libstdc++,
# zlib and brotli for httplib), and the CA bundle an https:// upload proxy is checked
# against. The ldd check fails the build if a library is missing.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libcpp-httplib0.11 libssl3 libspdlog1.10 libfmt9 libyaml-0-2 libssh-4 libarchive13 libsimdjson14 \
      ca-certificates \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log
COPY --from=build /out/ /
RUN ! ldd /usr/local/bin/mustgather-webhook | grep 'not found' \
 && mustgather-webhook version
# A numeric user, so the kubelet can enforce runAsNonRoot without a passwd lookup.
USER 65532:65532
EXPOSE 9443 8081 8082
ENTRYPOINT ["mustgather-webhook"]
CMD ["--help"]
