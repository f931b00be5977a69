#!/usr/bin/env bash
# Make sure a Docker engine answers, for the tests of `hako oneshot --local` and the
# sandbox's container mode. On a fresh Debian machine (as root) it installs Debian's
# docker.io and busybox-static (for the tests' tiny image), and nodejs (the test of the PR
# comment workflow's script runs it), and starts dockerd by hand (there is no systemd).
# Elsewhere it says what is missing: CI skips no test, so a missing tool is a failure.
set -euo pipefail

static_busybox() {
  # the tests build an image from busybox alone, so it must be statically linked
  command -v busybox >/dev/null 2>&1 && { ! command -v dpkg >/dev/null 2>&1 || dpkg -s busybox-static >/dev/null 2>&1; }
}
if docker info >/dev/null 2>&1 && static_busybox && command -v node >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "the tests need a running Docker engine, a static busybox and Node.js (Debian: docker.io busybox-static" \
       "nodejs)" >&2
  exit 1
fi
if ! dpkg -s docker.io busybox-static >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io busybox-static nodejs >/dev/null
fi
if ! docker info >/dev/null 2>&1; then
  (dockerd >/tmp/hako-dockerd.log 2>&1 &)
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  if ! docker info >/dev/null 2>&1; then
    echo "dockerd did not start:" >&2
    tail -n 30 /tmp/hako-dockerd.log >&2
    exit 1
  fi
fi
docker version --format 'Docker engine {{.Server.Version}}'
