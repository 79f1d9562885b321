#!/bin/bash
# dnl-init: PID 1 of a Docker Network Labs sandbox host (image dnl/host).
#
# It turns a plain container into something that behaves like a real Docker host:
#   1. make the cgroup hierarchies writable, so an inner dockerd can create cgroups;
#   2. cut off upstream DNS (resolv.conf names only 127.0.0.1), so nothing leaves the lab by name;
#   3. start containerd and the inner dockerd side by side (logs: /var/log/containerd.log and
#      /var/log/dockerd.log), nested under our own cgroup so the sandbox's pids/memory limits bind
#      the learner's containers too;
#   4. load the lesson images baked into the image (busybox, nginx), then touch /run/dnl/ready;
#   5. load the heavier debian image in the background (touch /run/dnl/debian-ready when done);
#   6. stay alive as PID 1: reap orphans, and stop dockerd cleanly on SIGTERM/SIGINT.
#
# Readiness contract with the lab runner: /run/dnl/ready exists <=> the inner engine answers on
# /var/run/docker.sock and /run/dnl/docker.sock, and `docker run busybox|nginx` works offline.
# If start-up fails, /run/dnl/failed holds the reason (one line) and the container keeps running
# so an operator can `docker exec` in and read /var/log/dockerd.log.
#
# Plain bash on purpose: other parts of the project edit this file. Keep every step small and
# commented, and keep it idempotent-free: it runs exactly once, as PID 1, per container start.

set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

DNL_RUN=/run/dnl                 # may be a bind mount of a host folder (the runner's socket dir)
IMAGES=/opt/dnl/images           # lesson images baked in at build time (docker save tars)
DOCKERD_LOG=/var/log/dockerd.log
READY_TIMEOUT=${DNL_READY_TIMEOUT:-60}   # seconds to wait for the inner dockerd

START_US=${EPOCHREALTIME/./}
# Each line carries the milliseconds since dnl-init started (docker logs <host> shows them).
log() { local now=${EPOCHREALTIME/./}; echo "dnl-init +$(( (now - START_US) / 1000 ))ms: $*"; }
fail() {
  log "FAILED: $*"
  echo "$*" > "$DNL_RUN/failed"
}

mkdir -p "$DNL_RUN" /var/log
rm -f "$DNL_RUN/ready" "$DNL_RUN/debian-ready" "$DNL_RUN/failed" "$DNL_RUN/docker.sock" "$DNL_RUN/docker.pid"

# --- 1. cgroups ------------------------------------------------------------------------------
# Without --privileged, Docker mounts /sys/fs/cgroup/* read-only. For each cgroup v1 hierarchy
# that is read-only, mount it again read-write (we have CAP_SYS_ADMIN through the fallback flag
# set). With host cgroup namespaces the fresh mount shows the whole hierarchy, which is why the
# cgroup path from /proc/self/cgroup (below) is an absolute, correct parent for inner containers.
remount_cgroups_v1() {
  local dev mnt fstype opts rest o subsys
  # Read the table first: we change it while iterating.
  local table
  while read -r dev mnt fstype opts rest; do
    [ "$fstype" = cgroup ] && table+="$mnt $opts"$'\n'
  done <<< "$MOUNTS"
  table=${table%$'\n'}
  [ -n "$table" ] || return 0
  while read -r mnt opts; do
    case ",$opts," in *,ro,*) ;; *) continue ;; esac
    # Keep only the controller names (and name=...) from the mount options.
    subsys=""
    for o in ${opts//,/ }; do
      case "$o" in
        ro|rw|nosuid|nodev|noexec|relatime|noatime|strictatime|nodiratime|clone_children|xattr) ;;
        release_agent=*) ;;
        *) subsys="${subsys:+$subsys,}$o" ;;
      esac
    done
    case "$subsys" in name=*) subsys="none,$subsys" ;; esac   # e.g. none,name=systemd
    # In parallel: each umount+mount is a few ms on an idle machine but far more on a busy one.
    (
      if umount "$mnt" 2>/dev/null && mount -t cgroup -o "$subsys" cgroup "$mnt" 2>/dev/null; then
        log "cgroup $subsys: remounted read-write"
      else
        log "cgroup $subsys: could not remount read-write at $mnt (inner containers may fail)"
      fi
    ) &
  done <<< "$table"
  wait
}

# cgroup v2 (unified) hosts, e.g. with --privileged or sysbox and a private cgroup namespace:
# the root cgroup may not hold processes while controllers are enabled for children, so move
# ourselves into a child group first and then delegate every controller (what docker's own
# dind script does).
prepare_cgroup_v2() {
  [ -f /sys/fs/cgroup/cgroup.controllers ] || return 0
  [ -w /sys/fs/cgroup/cgroup.subtree_control ] || return 0
  mkdir -p /sys/fs/cgroup/init
  local p
  while read -r p; do echo "$p" > /sys/fs/cgroup/init/cgroup.procs 2>/dev/null || true; done < /sys/fs/cgroup/cgroup.procs
  sed -e 's/ / +/g' -e 's/^/+/' < /sys/fs/cgroup/cgroup.controllers > /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || true
}

# Our own cgroup path (same in every v1 hierarchy with the cgroupfs driver; "/" when we live in
# a private cgroup namespace, where nesting is automatic and no parent is needed).
own_cgroup() {
  local line path="" ctl rest
  # Pure bash (no grep/sed forks): this runs on every host start.
  for ctl in pids memory cpu; do
    while IFS= read -r line; do
      rest=${line#*:}                      # "<controllers>:<path>"
      case ",${rest%%:*}," in *",$ctl,"*) path=${rest#*:}; break 2 ;; esac
    done < /proc/self/cgroup
  done
  if [ -z "$path" ]; then
    while IFS= read -r line; do
      case "$line" in 0::*) path=${line#0::}; break ;; esac
    done < /proc/self/cgroup
  fi
  echo "${path:-/}"
}

MOUNTS=$(< /proc/self/mounts)
if [[ "$MOUNTS" == *" /sys/fs/cgroup cgroup2 "* ]]; then
  prepare_cgroup_v2
else
  remount_cgroups_v1
fi

CGROUP=$(own_cgroup)
CGROUP_ARGS=()
if [ "$CGROUP" != "/" ]; then
  CGROUP_ARGS=(--cgroup-parent="${CGROUP%/}/inner")
fi

# --- 2. DNS ----------------------------------------------------------------------------------
# HARD RULE: no upstream resolver. Docker's embedded DNS forwards unknown names to whatever the
# host's resolv.conf lists, so list only loopback (nothing listens there: lookups fail fast and
# locally). Container names still resolve through 127.0.0.11 inside user-defined networks.
printf 'nameserver 127.0.0.1\n' > /etc/resolv.conf
# (sandbox provider) No default route either: an --internal lab network still hands us one via
# its gateway, which leads nowhere but to drops. Without it, traffic to anything outside the lab
# fails at once ("Network is unreachable") and the config itself shows there is no way out.
ip route del default 2>/dev/null || true

# --- 3. the inner engine ---------------------------------------------------------------------
# containerd starts beside dockerd rather than as its child: each spends a few hundred ms of Go
# start-up, and dockerd (--containerd) waits for this socket. Same root/state folders as the
# child dockerd would start, the CRI plugin and storage drivers this kernel lacks left out.
CTD=/var/run/docker/containerd
mkdir -p "$CTD"
cat > "$CTD/dnl-containerd.toml" <<'TOML'
version = 2
root = "/var/lib/docker/containerd/daemon"
state = "/var/run/docker/containerd/daemon"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs"]
[grpc]
  address = "/var/run/docker/containerd/containerd.sock"
TOML
containerd --config "$CTD/dnl-containerd.toml" >> /var/log/containerd.log 2>&1 &
CONTAINERD_PID=$!
log "starting dockerd (cgroup parent: ${CGROUP_ARGS[*]:-none}, log: $DOCKERD_LOG)"
dockerd \
  -H "unix://$DNL_RUN/docker.sock" \
  -H unix:///var/run/docker.sock \
  "${CGROUP_ARGS[@]}" \
  --dns 127.0.0.1 \
  --containerd="$CTD/containerd.sock" \
  >> "$DOCKERD_LOG" 2>&1 &
DOCKERD_PID=$!
echo "$DOCKERD_PID" > "$DNL_RUN/docker.pid"

stop() {
  log "stopping dockerd"
  kill -TERM "$DOCKERD_PID" 2>/dev/null
  # dockerd stops its containers (10 s grace each, in parallel) before exiting; then containerd.
  wait "$DOCKERD_PID" 2>/dev/null
  kill -TERM "$CONTAINERD_PID" 2>/dev/null
  wait "$CONTAINERD_PID" 2>/dev/null
  exit 0
}
trap stop TERM INT

# Wait until the engine answers (the socket appears before the API is ready; ask the API).
# curl's /_ping is much lighter than the docker CLI, which matters when many sandboxes start.
deadline=$((SECONDS + READY_TIMEOUT))
until [ -S /var/run/docker.sock ] && curl -sf --max-time 2 --unix-socket /var/run/docker.sock http://docker/_ping >/dev/null 2>&1; do
  if ! kill -0 "$DOCKERD_PID" 2>/dev/null; then
    fail "dockerd exited during start-up; last lines of $DOCKERD_LOG: $(tail -n 5 "$DOCKERD_LOG" | tr '\n' ' ')"
    break
  fi
  if ! kill -0 "$CONTAINERD_PID" 2>/dev/null; then
    fail "containerd exited during start-up; last lines of /var/log/containerd.log: $(tail -n 5 /var/log/containerd.log | tr '\n' ' ')"
    break
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    fail "dockerd did not answer within ${READY_TIMEOUT}s; see $DOCKERD_LOG"
    break
  fi
  sleep 0.05
done

# --- 4. lesson images ------------------------------------------------------------------------
# The tars are tagged busybox:latest / nginx:latest already (rewritten at build time), so a
# plain `docker load` makes `docker run busybox` work exactly as on a real host, offline.
log "dockerd answers"

# (sandbox provider) The runner may hand us a seeded image store (layers hard-linked from a
# template made once per host image): images already present are not loaded again.
PRESENT=" $(curl -sf --unix-socket /var/run/docker.sock http://docker/images/json 2>/dev/null | grep -o '"[a-z0-9./-]*:latest"' | tr -d '"' | sed 's/:latest$//' | tr '\n' ' ') "

if [ ! -e "$DNL_RUN/failed" ]; then
  pids=()
  for img in busybox nginx; do
    case "$PRESENT" in *" $img "*) continue ;; esac   # (sandbox provider) seeded
    if [ -f "$IMAGES/$img.tar" ]; then
      docker load -q -i "$IMAGES/$img.tar" > /dev/null &
      pids+=("$!")
    fi
  done
  for p in "${pids[@]}"; do
    wait "$p" || fail "docker load of a lesson image failed; see $DOCKERD_LOG"
  done
fi

if [ ! -e "$DNL_RUN/failed" ]; then
  touch "$DNL_RUN/ready"
  log "ready"
  # --- 5. the heavier image, lazily ----------------------------------------------------------
  if [[ "$PRESENT" == *" debian "* ]]; then
    touch "$DNL_RUN/debian-ready"   # (sandbox provider) seeded
  elif [ -f "$IMAGES/debian.tar" ]; then
    ( docker load -q -i "$IMAGES/debian.tar" > /dev/null && touch "$DNL_RUN/debian-ready" && log "debian loaded" ) &
  fi
fi

# --- 6. PID 1 duties -------------------------------------------------------------------------
# bash reaps any child that exits (orphans included) when SIGCHLD arrives; waiting on a
# background sleep keeps us idle yet lets the TERM trap run at once.
while :; do
  sleep infinity &
  wait $! 2>/dev/null
done
