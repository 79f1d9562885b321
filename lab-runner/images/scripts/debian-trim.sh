#!/bin/sh
# debian-trim.sh ROOT — remove what a container never needs from a debootstrapped rootfs
# (downloaded .debs, apt lists, man pages, docs except copyright, translations), the same
# trimming Debian's own slim images do. apt and dpkg stay usable.
set -eu
ROOT=$1
rm -rf "$ROOT"/var/cache/apt/archives/*.deb "$ROOT"/var/cache/apt/*.bin "$ROOT"/var/lib/apt/lists/* \
  "$ROOT"/usr/share/man/* "$ROOT"/usr/share/info/* "$ROOT"/usr/share/locale/* "$ROOT"/usr/share/lintian \
  "$ROOT"/var/log/*.log "$ROOT"/var/log/apt/* "$ROOT"/debootstrap "$ROOT"/var/cache/debconf/*-old
find "$ROOT/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete 2>/dev/null || true
find "$ROOT/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
# Future `apt-get install` inside the container keeps these trimmed too (as debian:slim does).
mkdir -p "$ROOT/etc/dpkg/dpkg.cfg.d"
cat > "$ROOT/etc/dpkg/dpkg.cfg.d/dnl-nodoc" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
CFG
# No machine identity baked into an image.
: > "$ROOT/etc/machine-id" 2>/dev/null || true
rm -f "$ROOT/etc/hostname"
