// What each offline image is made of. Everything that decides an image's content is declared
// here or lives in a file listed in `files`: the recipe hash (hash.ts) covers exactly that, so
// an image is rebuilt when, and only when, its recipe changes.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const IMAGES_DIR = path.dirname(fileURLToPath(import.meta.url));
const script = (name: string) => path.join(IMAGES_DIR, 'scripts', name);

export type ImageName = 'busybox' | 'nginx' | 'debian' | 'host-base' | 'host';
export type LessonImageName = 'busybox' | 'nginx' | 'debian';

/** Label carrying the recipe hash on every image we build. */
export const HASH_LABEL = 'dnl.recipe-hash';
/** Label naming which recipe built the image (for listing our own images). */
export const NAME_LABEL = 'dnl.image';

/** Bump when the builder's own logic changes what ends up in an image. */
export const BUILDER_VERSION = 1;

export const SUITE = 'bookworm';
/** The mirror apt uses on this machine (see /etc/apt/sources.list.d/debian.sources). */
export const DEFAULT_MIRROR = 'http://deb.debian.org/debian';

export interface Recipe {
  name: ImageName;
  /** Outer-engine tag. */
  tag: string;
  /** Tag inside sandboxes (lesson images only): what learners type. */
  innerTag?: string;
  /** `debootstrap --variant=minbase --include=…` packages; none = no debootstrap. */
  debootstrap?: string[];
  /** Files whose bytes end up in the image or decide it (scripts, binaries copied in). */
  files: string[];
  /** Images whose content is baked into this one. */
  dependsOn: ImageName[];
  /** Dockerfile instructions for `docker import -c` (LABELs are added by the builder). */
  changes: string[];
}

export const RECIPES: Record<ImageName, Recipe> = {
  busybox: {
    name: 'busybox',
    tag: 'dnl/busybox:latest',
    innerTag: 'busybox:latest',
    files: [script('busybox-rootfs.sh'), '/bin/busybox'],
    dependsOn: [],
    changes: ['CMD ["sh"]'],
  },
  nginx: {
    name: 'nginx',
    tag: 'dnl/nginx:latest',
    innerTag: 'nginx:latest',
    // Only the source of the binaries: the image itself is busybox + these binaries and their
    // libraries (nginx-lean.sh). binutils only assembles the ICU stub (see nginx-lean.sh).
    debootstrap: ['nginx-light', 'iputils-ping', 'iproute2', 'curl', 'dnsutils', 'bash', 'binutils'],
    files: [script('busybox-rootfs.sh'), script('nginx-lean.sh'), '/bin/busybox'],
    dependsOn: [],
    changes: ['CMD ["nginx", "-g", "daemon off;"]', 'EXPOSE 80'],
  },
  debian: {
    name: 'debian',
    tag: 'dnl/debian:latest',
    innerTag: 'debian:latest',
    debootstrap: ['iputils-ping', 'iproute2'],
    files: [script('debian-trim.sh')],
    dependsOn: [],
    changes: ['CMD ["bash"]'],
  },
  // The sandbox host in two layers: the Debian rootfs with docker.io (slow to make, rarely
  // changes) and, committed on top, dnl-init plus the lesson images (changes often, seconds to
  // rebuild). Sandboxes share the base layer on disk.
  'host-base': {
    name: 'host-base',
    tag: 'dnl/host-base:latest',
    debootstrap: [
      'docker.io', 'iptables', 'iproute2', 'iputils-ping', 'bash-completion', 'curl', 'dnsutils',
      'tcpdump', 'procps', 'less', 'vim-tiny', 'kmod',
    ],
    files: [script('debian-trim.sh'), script('host-setup.sh')],
    dependsOn: [],
    changes: ['CMD ["bash"]'],
  },
  host: {
    name: 'host',
    tag: 'dnl/host:latest',
    files: [path.join(IMAGES_DIR, 'host', 'dnl-init.sh')],
    dependsOn: ['host-base', 'busybox', 'nginx', 'debian'],
    changes: [
      'ENTRYPOINT ["/usr/local/sbin/dnl-init"]',
      'CMD []',
      'ENV container=docker',
      // No VOLUME /var/lib/docker: an anonymous volume per container would leak whenever a
      // container is removed without its volumes. The provider mounts a named volume there.
    ],
  },
};

export const LESSON_IMAGES: LessonImageName[] = ['busybox', 'nginx', 'debian'];
/** Build order respecting dependsOn. */
export const BUILD_ORDER: ImageName[] = ['busybox', 'nginx', 'debian', 'host-base', 'host'];
