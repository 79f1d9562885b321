#!/bin/sh
# busybox-rootfs.sh DST — a minimal root filesystem from the machine's busybox-static.
# Used as dnl/busybox itself and as the base of the lean dnl/nginx.
# Layout is merged-/usr (bin -> usr/bin …) like Debian bookworm, so libraries copied from a
# Debian rootfs later land where the dynamic loader looks for them.
set -eu
DST=$1
BUSYBOX=${BUSYBOX:-/bin/busybox}

mkdir -p "$DST"
cd "$DST"
mkdir -p usr/bin usr/sbin usr/lib/x86_64-linux-gnu usr/lib64 etc root tmp var/tmp var/log run home proc sys dev
ln -sfn usr/bin bin
ln -sfn usr/sbin sbin
ln -sfn usr/lib lib
ln -sfn usr/lib64 lib64
chmod 1777 tmp var/tmp
chmod 700 root

cp "$BUSYBOX" usr/bin/busybox
chmod 755 usr/bin/busybox
# One symlink per applet, at the path busybox itself suggests (bin/sh, sbin/ifconfig, usr/bin/wget …).
for applet in $("$BUSYBOX" --list-full); do
  [ -e "$applet" ] || [ -L "$applet" ] || ln -s /usr/bin/busybox "$applet"
done

cat > etc/passwd <<'P'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
P
cat > etc/group <<'G'
root:x:0:
daemon:x:1:
www-data:x:33:
nogroup:x:65534:
G
printf 'hosts: files dns\nnetworks: files\npasswd: files\ngroup: files\n' > etc/nsswitch.conf
echo 'root:*::0:::::' > etc/shadow
chmod 640 etc/shadow
