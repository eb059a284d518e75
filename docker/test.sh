#!/usr/bin/env bash
# docker/test.sh — end-to-end test of the container image (make docker-test).
#
# Works without a Docker daemon or registry: installs podman/buildah from
# Debian, builds a local debian:bookworm-slim base image with debootstrap from
# the host's own Debian mirror, builds docker/Dockerfile, runs the chat example
# in a container, relays a line between two TCP clients on 127.0.0.1, then
# checks that `podman stop` ends it gracefully (exit 0, within the timeout).
#
# Needs root for the package install and the base image; everything is
# idempotent (installed packages and an existing base image are reused).
#
# Environment (all optional):
#   RIPPLE_TEST_IMAGE       image tag to build               (ripple:test)
#   RIPPLE_TEST_DOCKERFILE  Dockerfile, relative to the repo (docker/Dockerfile)
#   RIPPLE_TEST_NETWORK     auto | publish | host            (auto)
#   RIPPLE_TEST_KEEP_BASE   1: keep the debootstrap tree in /var/tmp
#   RIPPLE_DEBIAN_MIRROR    Debian mirror URI for the base image (default: read
#                           from the host's apt sources)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

IMAGE=${RIPPLE_TEST_IMAGE:-ripple:test}
DOCKERFILE=${RIPPLE_TEST_DOCKERFILE:-docker/Dockerfile}
NETWORK=${RIPPLE_TEST_NETWORK:-auto}
BASE_IMAGE=debian:bookworm-slim
BASE_SUITE=bookworm
STOP_TIMEOUT=10          # podman stop -t: SIGTERM, then SIGKILL after this
CONTAINER_PORT=9501
NAME=ripple-docker-test-$$
TOKEN=ripple-docker-test-$$-$RANDOM

# Podman/buildah read this file instead of /etc/containers/containers.conf.
export CONTAINERS_CONF=$ROOT/docker/containers.conf

LOGDIR=$(mktemp -d /tmp/ripple-docker-test.XXXXXX)
passed=0
failed=0
declare -A timing=()

say()  { printf 'docker-test: %s\n' "$*"; }
ok()   { passed=$((passed + 1)); say "ok   - $*"; }
bad()  { failed=$((failed + 1)); say "FAIL - $*"; }
now()  { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

summary() {
  local k
  for k in base_image build run_test total; do
    [ -n "${timing[$k]:-}" ] && say "time $k: ${timing[$k]}s"
  done
  [ -n "${IMAGE_SIZE:-}" ] && say "image size: $IMAGE_SIZE"
  return 0
}

# Fatal failure: show what we know and stop (the EXIT trap cleans up).
die() {
  bad "$*"
  if podman container exists "$NAME" 2>/dev/null; then
    say "container logs (last 40 lines):"
    podman logs --tail 40 "$NAME" 2>&1 | sed 's/^/    | /' || true
  fi
  exit 1
}

cleanup() {
  local rc=$?
  exec 3>&- 4>&-
  if podman container exists "$NAME" 2>/dev/null; then
    podman rm -f -t 0 "$NAME" >/dev/null 2>&1 || true
  fi
  [ -n "${ROOTFS_DIR:-}" ] && [ -z "${RIPPLE_TEST_KEEP_BASE:-}" ] && rm -rf "$ROOTFS_DIR"
  rm -rf "$LOGDIR"
  [ "$rc" -eq 0 ] && [ "$failed" -ne 0 ] && rc=1
  timing[total]=$(since "$T_START")
  summary
  if [ "$rc" -eq 0 ]; then say "PASS"; else say "FAIL"; fi
  say "$passed passed, $failed failed"
  exit "$rc"
}
T_START=$(now)
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- packages

# command => Debian package
declare -A NEED=(
  [podman]=podman [buildah]=buildah [runc]=runc [debootstrap]=debootstrap
  [newuidmap]=uidmap [slirp4netns]=slirp4netns [iptables]=iptables
  [conmon]=conmon
)
NEED_PKGS=(netavark aardvark-dns)   # no command on PATH to look for

install_packages() {
  local missing=() cmd p
  for cmd in "${!NEED[@]}"; do
    command -v "$cmd" >/dev/null 2>&1 || missing+=("${NEED[$cmd]}")
  done
  for p in "${NEED_PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    die "missing packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})"
  fi
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >"$LOGDIR/apt.log" 2>&1 || { cat "$LOGDIR/apt.log"; die "apt-get update failed"; }
  apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$LOGDIR/apt.log" 2>&1 \
    || { tail -30 "$LOGDIR/apt.log"; die "apt-get install failed"; }
}

# ---------------------------------------------------------------- base image

# The source files apt reads on this machine, in apt's order.
apt_source_files() {
  local f
  [ -f /etc/apt/sources.list ] && echo /etc/apt/sources.list
  for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && echo "$f"
  done
  return 0
}

# Prints the URI of the first enabled binary ("deb") source that serves the
# suite $1, from one-line (.list) and deb822 (.sources) files alike.
apt_uri_for_suite() {
  local suite=$1 f
  while read -r f; do
    case $f in
      *.sources)
        awk -v want="$suite" '
          function flush() {
            if (types ~ /(^|[ \t])deb([ \t]|$)/ && enabled != "no" && uris != "" &&
                (" " suites " ") ~ ("[ \t]" want "[ \t]")) {
              split(uris, u, /[ \t]+/); print u[1]; done = 1; exit
            }
            types = suites = uris = key = ""; enabled = "yes"
          }
          BEGIN { enabled = "yes" }
          /^#/ { next }
          /^[ \t]*$/ { flush(); next }
          /^[ \t]/ {                       # continuation of the previous field
            v = $0; gsub(/^[ \t]+|[ \t]+$/, "", v)
            if (key == "uris") uris = uris " " v; else if (key == "suites") suites = suites " " v
            next
          }
          {
            key = tolower($0); sub(/:.*/, "", key)
            v = $0; sub(/^[^:]*:/, "", v); gsub(/^[ \t]+|[ \t]+$/, "", v)
            if (key == "types") types = v; else if (key == "uris") uris = v
            else if (key == "suites") suites = v; else if (key == "enabled") enabled = tolower(v)
          }
          END { if (!done) flush() }' "$f"
        ;;
      *)
        awk -v want="$suite" '
          $1 == "deb" {
            i = 2
            if ($i ~ /^\[/) { while ($i !~ /\]$/ && i < NF) i++; i++ }
            if ($(i + 1) == want) { print $i; exit }
          }' "$f"
        ;;
    esac
  done < <(apt_source_files) | sed -n '1p'
}

make_base_image() {
  local t0 mirror security updates host_codename tar_log
  t0=$(now)
  mirror=${RIPPLE_DEBIAN_MIRROR:-$(apt_uri_for_suite "$BASE_SUITE")}
  if [ -z "$mirror" ]; then
    # A host on another Debian release: its main archive also serves bookworm.
    host_codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
    [ -n "$host_codename" ] && mirror=$(apt_uri_for_suite "$host_codename")
  fi
  [ -n "$mirror" ] || die "no Debian mirror found in /etc/apt/sources.list{,.d/*.sources,.d/*.list}; set RIPPLE_DEBIAN_MIRROR"
  mirror=${mirror%/}
  updates=$(apt_uri_for_suite "$BASE_SUITE-updates")
  security=$(apt_uri_for_suite "$BASE_SUITE-security")
  say "building $BASE_IMAGE with debootstrap from $mirror"

  ROOTFS_DIR=$(mktemp -d /var/tmp/ripple-rootfs.XXXXXX)
  local include=()
  case $mirror in https:*) include=(--include=ca-certificates) ;; esac
  debootstrap --variant=minbase "${include[@]}" "$BASE_SUITE" "$ROOTFS_DIR" "$mirror" \
    >"$LOGDIR/debootstrap.log" 2>&1 || { tail -30 "$LOGDIR/debootstrap.log"; die "debootstrap failed"; }

  # apt inside the image uses the same mirror(s) as this machine.
  rm -f "$ROOTFS_DIR/etc/apt/sources.list"
  {
    printf 'Types: deb\nURIs: %s\nSuites: %s%s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "$mirror" "$BASE_SUITE" "${updates:+ $BASE_SUITE-updates}"
    if [ -n "$security" ]; then
      printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
        "${security%/}" "$BASE_SUITE"
    fi
  } >"$ROOTFS_DIR/etc/apt/sources.list.d/debian.sources"
  [ -n "$updates" ] && [ "${updates%/}" != "$mirror" ] \
    && say "note: $BASE_SUITE-updates is served by $updates on this host; the image uses $mirror"

  # Carry over the apt settings that make this machine's mirror usable
  # (snapshot mirrors need Check-Valid-Until off; proxies).
  local conf=$ROOTFS_DIR/etc/apt/apt.conf.d
  eval "$(apt-config shell CVU Acquire::Check-Valid-Until HTTP_PROXY Acquire::http::Proxy HTTPS_PROXY Acquire::https::Proxy)"
  : >"$conf/50ripple-host"
  [ "${CVU:-}" = "false" ] && echo 'Acquire::Check-Valid-Until "false";' >>"$conf/50ripple-host"
  [ -n "${HTTP_PROXY:-}" ] && echo "Acquire::http::Proxy \"$HTTP_PROXY\";" >>"$conf/50ripple-host"
  [ -n "${HTTPS_PROXY:-}" ] && echo "Acquire::https::Proxy \"$HTTPS_PROXY\";" >>"$conf/50ripple-host"

  # Slim, like the official -slim images: no docs, man pages or translations,
  # now and for every package installed later; no package caches.
  cat >"$ROOTFS_DIR/etc/dpkg/dpkg.cfg.d/90ripple-slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
EOF
  cat >"$conf/90ripple-slim" <<'EOF'
APT::Install-Recommends "false";
Acquire::Languages "none";
Acquire::GzipIndexes "true";
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb || true"; };
EOF
  find "$ROOTFS_DIR/usr/share/doc" -mindepth 1 ! -name copyright ! -type d -delete
  find "$ROOTFS_DIR/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "$ROOTFS_DIR"/usr/share/{man,info,groff,lintian,linda,locale}/* \
         "$ROOTFS_DIR"/var/lib/apt/lists/* "$ROOTFS_DIR"/var/cache/apt/*.bin \
         "$ROOTFS_DIR"/var/cache/apt/archives/*.deb "$ROOTFS_DIR"/var/log/*.log \
         "$ROOTFS_DIR"/var/log/apt/* "$ROOTFS_DIR"/tmp/* "$ROOTFS_DIR"/var/tmp/* \
         "$ROOTFS_DIR"/dev/* "$ROOTFS_DIR"/proc/* "$ROOTFS_DIR"/sys/* "$ROOTFS_DIR"/run/*
  : >"$ROOTFS_DIR/etc/resolv.conf"
  : >"$ROOTFS_DIR/etc/hostname"

  tar_log=$LOGDIR/import.log
  tar --numeric-owner -C "$ROOTFS_DIR" -cf - . \
    | podman import \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'CMD ["bash"]' \
        --message "debootstrap --variant=minbase $BASE_SUITE from $mirror" \
        - "$BASE_IMAGE" >"$tar_log" 2>&1 \
    || { cat "$tar_log"; die "podman import failed"; }
  [ -z "${RIPPLE_TEST_KEEP_BASE:-}" ] && rm -rf "$ROOTFS_DIR" && ROOTFS_DIR=
  timing[base_image]=$(since "$t0")
  ok "base image $BASE_IMAGE created from $mirror in ${timing[base_image]}s"
}

# ---------------------------------------------------------------- clients

# Opens fd $1 to 127.0.0.1:$2; bounded retries while the server comes up.
connect() {
  local fd=$1 port=$2 i
  for ((i = 0; i < 120; i++)); do
    if eval "exec $fd<>/dev/tcp/127.0.0.1/$port" 2>/dev/null; then
      return 0
    fi
    [ "$(podman inspect -f '{{.State.Running}}' "$NAME" 2>/dev/null)" = true ] \
      || die "container exited before accepting connections"
    sleep 0.5
  done
  return 1
}

# Sends lines containing $TOKEN from fd 3 until one arrives on fd 4
# (a client's connection may still sit in the listen backlog, unregistered,
# when the first line is relayed). Prints the received line.
relay_once() {
  local attempt line deadline
  for ((attempt = 1; attempt <= 10; attempt++)); do
    printf '%s attempt %d\n' "$TOKEN" "$attempt" >&3 || return 1
    deadline=$(( $(date +%s) + 2 ))
    while [ "$(date +%s)" -le "$deadline" ]; do
      IFS= read -r -t 1 -u 4 line || continue
      line=${line%$'\r'}
      case $line in *"$TOKEN"*) printf '%s\n' "$line"; return 0 ;; esac
    done
  done
  return 1
}

# ---------------------------------------------------------------- container

HOST_PORT=

start_container() {
  local mode=$1
  podman rm -f -t 0 "$NAME" >/dev/null 2>&1 || true
  if [ "$mode" = publish ]; then
    # 127.0.0.1 only, host port chosen by podman.
    podman run -d --name "$NAME" -p "127.0.0.1::$CONTAINER_PORT" "$IMAGE" \
      >"$LOGDIR/run.log" 2>&1 || return 1
    HOST_PORT=$(podman port "$NAME" "$CONTAINER_PORT/tcp" | sed -n '1s/.*://p')
    [ -n "$HOST_PORT" ] || return 1
  else
    # No port publishing: share the host network, listen on 127.0.0.1 only.
    local p
    for ((p = 20000 + RANDOM % 20000, i = 0; i < 50; i++, p++)); do
      (exec 9<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { HOST_PORT=$p; break; }
    done
    [ -n "$HOST_PORT" ] || return 1
    podman run -d --name "$NAME" --network host -e "CHAT_LISTEN=127.0.0.1:$HOST_PORT" "$IMAGE" \
      >"$LOGDIR/run.log" 2>&1 || return 1
  fi
  sleep 0.3
  [ "$(podman inspect -f '{{.State.Running}}' "$NAME" 2>/dev/null)" = true ]
}

# ================================================================ main

say "repo $ROOT, image $IMAGE, containers.conf $CONTAINERS_CONF"
[ -f "$ROOT/$DOCKERFILE" ] || die "no $DOCKERFILE"
[ -f "$ROOT/examples/chat.php" ] || die "no examples/chat.php (the image's default command)"

install_packages
podman info >"$LOGDIR/info.log" 2>&1 || { cat "$LOGDIR/info.log"; die "podman info failed"; }

if podman image exists "$BASE_IMAGE"; then
  say "base image $BASE_IMAGE exists, reusing it"
else
  make_base_image
fi

# -- build
t0=$(now)
say "building $IMAGE (log: podman build output below on failure)"
if ! podman build --pull=never --format docker -f "$DOCKERFILE" -t "$IMAGE" . >"$LOGDIR/build.log" 2>&1; then
  tail -60 "$LOGDIR/build.log" | sed 's/^/    | /'
  die "podman build failed"
fi
timing[build]=$(since "$t0")
IMAGE_SIZE=$(podman image inspect -f '{{.Size}}' "$IMAGE" | awk '{ printf "%.1f MB", $1 / 1e6 }')
ok "image $IMAGE built in ${timing[build]}s ($IMAGE_SIZE)"

# -- run
t_run=$(now)
case $NETWORK in
  publish|host) start_container "$NETWORK" || { cat "$LOGDIR/run.log"; die "podman run ($NETWORK) failed"; } ;;
  auto)
    if start_container publish; then NETWORK=publish
    else
      say "port publishing failed here, retrying with --network host:"
      sed 's/^/    | /' "$LOGDIR/run.log"
      start_container host || { cat "$LOGDIR/run.log"; die "podman run --network host failed"; }
      NETWORK=host
    fi ;;
  *) die "RIPPLE_TEST_NETWORK must be auto, publish or host" ;;
esac
ok "container $NAME running ($NETWORK network, 127.0.0.1:$HOST_PORT)"

# ripple itself is PID 1 of the container, as the image's non-root user.
host_pid=$(podman inspect -f '{{.State.Pid}}' "$NAME")
pid1_exe=$(readlink "/proc/$host_pid/exe" 2>/dev/null || true)
pid1_uid=$(awk '/^Uid:/ { print $2 }' "/proc/$host_pid/status" 2>/dev/null || true)
case $pid1_exe in
  */ripple) ok "PID 1 is $pid1_exe" ;;
  *) bad "PID 1 of the container is '${pid1_exe:-?}', not ripple" ;;
esac
if [ -n "$pid1_uid" ] && [ "$pid1_uid" != 0 ]; then ok "runs as uid $pid1_uid"; else bad "runs as uid ${pid1_uid:-?} (expected non-root)"; fi

# -- two clients, one line relayed
connect 3 "$HOST_PORT" || die "no connection to 127.0.0.1:$HOST_PORT within 60s"
connect 4 "$HOST_PORT" || die "second client could not connect"
if line=$(relay_once); then
  ok "line relayed between two clients: '$line'"
  [[ $line =~ ^\[[0-9]+\]\  ]] || say "note: relayed line has no '[id] ' prefix"
else
  die "second client did not receive the first client's line within 20s"
fi
ps_out=$(podman top "$NAME" pid args 2>/dev/null || true)
say "processes in the container:"
printf '%s\n' "$ps_out" | sed 's/^/    | /'

# -- healthcheck (ripple status)
if hc=$(podman healthcheck run "$NAME" 2>&1); then
  ok "healthcheck (ripple status) healthy"
else
  status_out=$(podman exec "$NAME" ripple status /app/examples/chat.php 2>&1 || true)
  bad "healthcheck unhealthy: $hc / ripple status said: $status_out"
fi

# -- graceful stop, clients still connected
t0=$(now)
podman stop -t "$STOP_TIMEOUT" "$NAME" >/dev/null 2>"$LOGDIR/stop.log" || { cat "$LOGDIR/stop.log"; bad "podman stop failed"; }
stop_secs=$(since "$t0")
exec 3>&- 4>&-
exit_code=$(podman inspect -f '{{.State.ExitCode}}' "$NAME")
if [ "$exit_code" = 0 ]; then ok "exit code 0 after SIGTERM"
else bad "exit code $exit_code after SIGTERM (137 = SIGKILLed after the ${STOP_TIMEOUT}s timeout)"; fi
if awk -v s="$stop_secs" -v t="$STOP_TIMEOUT" 'BEGIN { exit !(s < t) }'; then ok "stopped in ${stop_secs}s (< ${STOP_TIMEOUT}s)"
else bad "stop took ${stop_secs}s (timeout ${STOP_TIMEOUT}s)"; fi
timing[run_test]=$(since "$t_run")

if [ "$failed" -ne 0 ]; then
  say "container logs (last 40 lines):"
  podman logs --tail 40 "$NAME" 2>&1 | sed 's/^/    | /' || true
else
  say "container logs (last 8 lines):"
  podman logs --tail 8 "$NAME" 2>&1 | sed 's/^/    | /' || true
fi
[ "$failed" -eq 0 ]
