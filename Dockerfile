# Tracker's two images from one build. From the repository root:
#   docker build --target pixel-service  -t tracker/pixel-service .
#   docker build --target storage-worker -t tracker/storage-worker .
# (docker compose builds both.) The build stage is shared, so the C++ tree
# is configured and compiled once for the two images. Every install and build
# command here is one CI also runs (scripts/install-deps.sh, the `release`
# CMake preset); tests/e2e/static checks that.

# --- build: the same script and preset as CI -------------------------------
FROM debian:bookworm AS build
WORKDIR /src
# Dependencies first, so a source change does not re-run apt.
COPY scripts/install-deps.sh scripts/
RUN scripts/install-deps.sh --build
COPY . .
RUN cmake --preset release \
 && cmake --build --preset release --target pixel-service \
 && cmake --build --preset release --target storage-worker

# --- runtime: slim, only the shared libraries, non-root ---------------------
FROM debian:bookworm-slim AS runtime
COPY scripts/install-deps.sh scripts/runtime-packages.txt /opt/tracker/scripts/
RUN /opt/tracker/scripts/install-deps.sh --runtime && rm -rf /var/lib/apt/lists/*
# A fixed UID, so bind mounts (the worker's /data) and policies can name it.
RUN groupadd --gid 10001 tracker \
 && useradd --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin tracker
STOPSIGNAL SIGTERM

# --- the pixel service ------------------------------------------------------
FROM runtime AS pixel-service
COPY --from=build /src/build/bin/pixel-service /usr/local/bin/pixel-service
COPY pixel-service/resources/pixel.gif /usr/share/tracker/pixel.gif
ENV TRACKER__PIXEL__IMAGE=/usr/share/tracker/pixel.gif
USER 10001:10001
# 8080 public (/track), 9090 admin (/health/*, /metrics).
EXPOSE 8080 9090
# Slim has no curl: the binary probes its own admin port's /health/ready.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["/usr/local/bin/pixel-service", "--health-check"]
# Exec form: the service is PID 1 and receives SIGTERM itself.
ENTRYPOINT ["/usr/local/bin/pixel-service"]

# --- the storage worker -----------------------------------------------------
FROM runtime AS storage-worker
RUN mkdir -p /data && chown 10001:10001 /data
COPY --from=build /src/build/bin/storage-worker /usr/local/bin/storage-worker
ENV TRACKER__FILEEVENTSTORE__FILE=/data/events.log
WORKDIR /data
VOLUME /data
USER 10001:10001
# 9091 admin (/health/*, /metrics).
EXPOSE 9091
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["/usr/local/bin/storage-worker", "--health-check"]
# Exec form: the worker is PID 1 and receives SIGTERM (finish the batch,
# fsync, commit, leave the group) and SIGHUP (reopen the file) itself.
ENTRYPOINT ["/usr/local/bin/storage-worker"]
