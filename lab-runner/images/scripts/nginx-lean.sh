#!/bin/sh
# nginx-lean.sh SRC DST — the lean dnl/nginx root filesystem.
# SRC: a debootstrapped Debian rootfs with nginx-light, iputils-ping, iproute2, curl, dnsutils.
# DST: a busybox rootfs (busybox-rootfs.sh) that receives just the real binaries, the shared
#      libraries they need (found with ldd inside SRC), nginx's config and its default page.
# Why not the whole Debian rootfs: every sandbox loads this image at start; bytes are time.
set -eu
SRC=$1
DST=$2

BINARIES="/usr/sbin/nginx /usr/bin/ping /usr/bin/ip /usr/bin/curl /usr/bin/dig /usr/bin/nslookup /usr/bin/dash /usr/bin/bash"

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
# ICU's data library (31 MB) comes in only because dig -> libdns -> libxml2 -> libicuuc; nothing
# here converts text with ICU. Replace it with ICU's documented "stubdata" equivalent (an empty
# data table under the same symbol), assembled with binutils from the source rootfs: libicuuc
# still loads, and would simply report missing data if anything ever asked it for some.
for f in "$DST"/usr/lib/x86_64-linux-gnu/libicudata.so.*; do
  [ -f "$f" ] || continue
  ver=${f##*.so.}; ver=${ver%%.*}
  mkdir -p "$SRC/tmp/icustub"
  cat > "$SRC/tmp/icustub/stub.s" <<ASM
	.section .rodata
	.globl icudt${ver}_dat
	.type icudt${ver}_dat, @object
	.size icudt${ver}_dat, 44
	.balign 16
icudt${ver}_dat:
	.short 32                   /* headerSize */
	.byte 0xda, 0x27            /* magic */
	.short 20, 0                /* UDataInfo size, reserved */
	.byte 0, 0, 2, 0            /* little endian, ASCII family, sizeof(UChar), reserved */
	.byte 0x54, 0x6f, 0x43, 0x50 /* "ToCP": a table of contents */
	.byte 1, 0, 0, 0            /* format version */
	.byte 0, 0, 0, 0            /* data version */
	.zero 8                     /* padding to 32 */
	.long 0                     /* no items */
	.long 0, 0
ASM
  chroot "$SRC" sh -c "cd /tmp/icustub && as -o stub.o stub.s && ld -shared -soname $(basename "$f") -o stub.so stub.o"
  rm -f "$f"
  cp "$SRC/tmp/icustub/stub.so" "$f"
  rm -rf "$SRC/tmp/icustub"
done

# A real binary wins over the busybox applet of the same name: drop the applet links (busybox
# puts `ip` in /usr/sbin, which comes before /usr/bin in PATH).
for bin in $BINARIES; do
  name=$(basename "$bin")
  for d in usr/bin usr/sbin; do
    if [ -L "$DST/$d/$name" ] && [ "$(readlink "$DST/$d/$name")" = /usr/bin/busybox ]; then rm -f "$DST/$d/$name"; fi
  done
done
# /bin/sh must not be busybox: this busybox build prefers its own applets inside its shell, so
# `sh -c 'ip -br a'` would run the busybox `ip` (no -br) instead of iproute2. dash, like Debian.
ln -sf dash "$DST/usr/bin/sh"
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
chroot "$DST" /bin/sh -c 'ip -V' 2>/dev/null | grep -q iproute2 \
  || { echo "nginx-lean: sh -c ip does not run iproute2" >&2; exit 1; }
for bin in ping ip curl dig; do
  chroot "$DST" "/usr/bin/$bin" -V >/dev/null 2>&1 || chroot "$DST" "/usr/bin/$bin" -h >/dev/null 2>&1 \
    || { echo "nginx-lean: /usr/bin/$bin does not run in the lean rootfs" >&2; exit 1; }
done
