#!/bin/sh
# host-setup.sh ROOT — turn a debootstrapped rootfs (with docker.io etc.) into the base of the
# sandbox host image: a shell that feels like a real Docker host. dnl-init and the lesson images
# are added on top by the builder (a separate, quick layer).
set -eu
ROOT=$1

mkdir -p "$ROOT/opt/dnl/images" "$ROOT/run/dnl" "$ROOT/var/lib/docker"

# Bash completion in every interactive shell (login shells get it via /etc/profile.d too);
# docker.io ships the completion for `docker`.
sed -i '/# enable bash completion in interactive shells/,/^#fi$/ s/^#//' "$ROOT/etc/bash.bashrc"
sed -i 's/^ enable bash completion in interactive shells/# enable bash completion in interactive shells/' "$ROOT/etc/bash.bashrc"

# An editor under the names people type.
[ -e "$ROOT/usr/bin/vi" ] || ln -s /etc/alternatives/vi "$ROOT/usr/bin/vi" 2>/dev/null || true
[ -e "$ROOT/usr/bin/vim" ] || ln -s vim.tiny "$ROOT/usr/bin/vim"

# Colour ls/grep like a workstation; the Debian default prompt already shows user@hostname.
cat > "$ROOT/etc/profile.d/dnl.sh" <<'P'
# Docker Network Labs sandbox host
export EDITOR=vi
alias ls='ls --color=auto'
alias grep='grep --color=auto'
P
