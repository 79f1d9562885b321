#!/bin/sh
# nginx-lean.sh SRC DST — the lean dnl/nginx root filesystem.
# SRC: a debootstrapped Debian rootfs with nginx-light, iputils-ping, iproute2, curl, dnsutils.
# DST: a busybox rootfs (busybox-rootfs.sh) that receives just the real binaries, the shared
#      libraries they need (found with ldd inside SRC), nginx's config and its default page.
# Why not the whole Debian rootfs: every sandbox loads this image at start; bytes are time.
set -eu
SRC=$1
DST=$2

BINARIES="/usr/sbin/nginx /usr/bin/ping /usr/bin/ip /usr/bin/curl /usr/bin/dig /usr/bin/nslookup"

copy_file() {  # copy SRC$1 to DST$1 dereferencing symlinks, keeping the requested name
  mkdir -p "$DST$(dirname "$1")"
  rm -f "$DST$1"
  cp -L "$SRC$1" "$DST$1"
}

LIBS=""
for bin in $BINARIES; do
  [ -e "$SRC$bin" ] || { echo "nginx-lean: $bin is missing from the source rootfs" >&2; exit 1; }
  copy_file "$bin"
  LIBS="$LIBS $(chroot "$SRC" ldd "$bin" | awk '/=> \// { print $3 } /^\t\// { print $1 }')"
done
# nginx's dynamic modules (dlopen'ed, so ldd on nginx does not list them) and their libraries.
if [ -d "$SRC/usr/lib/nginx/modules" ]; then
  for mod in "$SRC"/usr/lib/nginx/modules/*.so; do
    [ -e "$mod" ] || continue
    m=${mod#"$SRC"}
    copy_file "$m"
    LIBS="$LIBS $(chroot "$SRC" ldd "$m" | awk '/=> \// { print $3 } /^\t\// { print $1 }')"
  done
fi
for lib in $(printf '%s\n' $LIBS | sort -u); do
  copy_file "$lib"
done
# ping needs no setuid here (containers run as root with CAP_NET_RAW), but keep Debian's mode.
chmod 755 "$DST/usr/bin/ping"

# nginx's configuration, default site, modules config and state directories.
cp -a "$SRC/etc/nginx" "$DST/etc/"
[ -d "$SRC/usr/share/nginx" ] && mkdir -p "$DST/usr/share" && cp -a "$SRC/usr/share/nginx" "$DST/usr/share/"
mkdir -p "$DST/var/www" "$DST/var/lib/nginx" "$DST/var/log/nginx"
cp -a "$SRC/var/www/html" "$DST/var/www/"
for d in body fastcgi proxy scgi uwsgi; do mkdir -p "$DST/var/lib/nginx/$d"; done
chown -R 33:33 "$DST/var/lib/nginx"
# Like the official nginx image: logs go to the container's stdout/stderr (docker logs).
ln -sf /dev/stdout "$DST/var/log/nginx/access.log"
ln -sf /dev/stderr "$DST/var/log/nginx/error.log"
cp "$SRC/etc/mime.types" "$DST/etc/" 2>/dev/null || true

# The dynamic loader's cache, built for exactly the libraries present.
cp -a "$SRC/etc/ld.so.conf" "$DST/etc/"
[ -d "$SRC/etc/ld.so.conf.d" ] && cp -a "$SRC/etc/ld.so.conf.d" "$DST/etc/"
ldconfig -r "$DST"

# Fail the build here, not in a learner's sandbox, when a library is missing.
chroot "$DST" /usr/sbin/nginx -t -q
for bin in ping ip curl dig; do
  chroot "$DST" "/usr/bin/$bin" -V >/dev/null 2>&1 || chroot "$DST" "/usr/bin/$bin" -h >/dev/null 2>&1 \
    || { echo "nginx-lean: /usr/bin/$bin does not run in the lean rootfs" >&2; exit 1; }
done
