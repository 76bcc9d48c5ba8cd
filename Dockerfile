# syntax=docker/dockerfile:1
# minic as a container: `minic serve` by default, `minic worker` or `git daemon` by command.
#
#   docker build -t minic .
#   docker run --rm -v minic-home:/data minic minic token create --role admin --name ops
#   docker run -d -p 8080:8080 -v minic-home:/data minic
#
# No secret is baked in: ANTHROPIC_API_KEY and MINIC_REDIS_URL come from the environment at run time.
# See docker-compose.yml and deploy/kubernetes/ for the origin + Redis + workers topology.

# ---- build ----------------------------------------------------------------------------------------------
# The official Swift toolchain image: 6.3 on Debian 12 (bookworm), the release this repository is built and
# tested with (swift:6.3.2-bookworm exists; the minor tag follows its patch releases). Override with
# --build-arg SWIFT_IMAGE=swift:6.2-bookworm or a digest-pinned tag.
ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG RUN_IMAGE=debian:bookworm-slim
FROM ${SWIFT_IMAGE} AS build
# The -dev packages of scripts/packages.txt that the build links or includes (libcurl's headers only: minic
# loads libcurl.so.4 with dlopen at run time).
RUN export DEBIAN_FRONTEND=noninteractive \
 && apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends \
      pkg-config libgit2-dev libsqlite3-dev libcurl4-openssl-dev libpcre2-dev libseccomp-dev libhiredis-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first, so a source change does not fetch them again.
COPY Package.swift ./
RUN swift package resolve
COPY . .
RUN swift build -c release --static-swift-stdlib --product minic \
 && install -D -m 0755 "$(swift build -c release --show-bin-path)/minic" /out/minic \
 && /out/minic --version

# ---- run ------------------------------------------------------------------------------------------------
FROM ${RUN_IMAGE}
# Runtime libraries (from `ldd .build/release/minic`): libgit2 1.5, SQLite, PCRE2, libseccomp, hiredis 0.14,
# libstdc++; libcurl4 is loaded with dlopen for the model providers. git (git daemon, and what people run by
# hand), bubblewrap (the sandbox), python3 (the code-analysis helper), curl (HEALTHCHECK), tini (PID 1).
RUN export DEBIAN_FRONTEND=noninteractive \
 && apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends \
      libgit2-1.5 libsqlite3-0 libpcre2-8-0 libseccomp2 libhiredis0.14 libstdc++6 libcurl4 \
      git bubblewrap python3 curl ca-certificates tini \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 minic \
 && useradd --system --uid 10001 --gid 10001 --home-dir /home/minic --create-home --shell /usr/sbin/nologin minic \
 && install -d -o minic -g minic -m 0700 /data
COPY --from=build /out/minic /usr/local/bin/minic
COPY --chmod=0755 deploy/docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
# The home lives on a volume at /data/home (git daemon serves /data, so clones use git://HOST:9418/home).
ENV MINIC_HOME=/data/home
VOLUME ["/data"]
USER 10001:10001
WORKDIR /data
EXPOSE 8080
# Loopback, so it holds before a token exists too (minic serve binds loopback only until one does).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD curl -fsS -o /dev/null http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/docker-entrypoint.sh"]
CMD ["minic", "serve", "--host", "0.0.0.0", "--port", "8080"]
