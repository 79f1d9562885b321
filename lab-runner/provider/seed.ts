// A pre-loaded image store for sandbox hosts, so a new host does not `docker load` anything.
//
// Loading busybox + nginx into every new host costs seconds of CPU (unpacking is CPU-bound) and
// debian (loaded lazily) tens of megabytes of disk and page cache per host. Instead, once per
// host image, a throw-away host loads all lesson images into a folder and stops cleanly; that
// folder is the seed. Each new host's /var/lib/docker (a named volume bound to a folder the runner
// owns) is then filled from the seed: the image layers' files are HARD-LINKED (no bytes copied;
// overlayfs never writes to lower layers, and `docker rmi` only unlinks), everything else (small
// metadata, including bolt databases that are written in place) is copied. dnl-init sees the
// images present and skips loading them.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/** `<root>/<image id>`; `docker/` inside is a stopped engine's /var/lib/docker. */
export function seedPath(root: string, imageId: string): string {
  return path.join(root, imageId.replace(/^sha256:/, '').slice(0, 16));
}

export function isSeedComplete(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'complete'));
}

function sh(script: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('sh', ['-c', script, 'sh', ...args], { maxBuffer: 1 << 20 }, (err, _out, stderr) => {
      if (err) reject(new Error(`${err.message.split('\n')[0]} ${stderr.trim().slice(-400)}`));
      else resolve();
    });
  });
}

/**
 * Fills an empty folder with the seed: metadata copied, layer files hard-linked (copied when
 * the seed is on another filesystem).
 */
export function populateFromSeed(seedDocker: string, target: string): Promise<void> {
  return sh(`set -e
S="$1"; D="$2"
cd "$S"
tar --exclude='./overlay2/*/diff' -cf - . | tar -C "$D" -xpf -
for d in overlay2/*/diff; do
  [ -d "$d" ] || continue
  cp -al "$d" "$D/$d" 2>/dev/null || { rm -rf "$D/$d"; cp -a "$d" "$D/$d"; }
done`, [seedDocker, target]);
}

/**
 * Builds a seed with `run` (which starts a host whose /var/lib/docker is `<tmp>/docker` and whose
 * /run/dnl is `<tmp>/run`, waits until every lesson image is loaded, and stops it cleanly), then
 * publishes it atomically. Concurrent builders (other runners) are harmless: the first rename wins.
 */
export async function buildSeed(root: string, imageId: string, run: (dockerDir: string, runDir: string) => Promise<void>): Promise<string> {
  const dir = seedPath(root, imageId);
  if (isSeedComplete(dir)) return dir;
  fs.mkdirSync(root, { recursive: true });
  const tmp = path.join(root, `.build-${randomBytes(4).toString('hex')}`);
  fs.mkdirSync(path.join(tmp, 'docker'), { recursive: true });
  fs.mkdirSync(path.join(tmp, 'run'), { recursive: true });
  try {
    await run(path.join(tmp, 'docker'), path.join(tmp, 'run'));
    // Per-engine identity and state that must not be cloned into every host.
    for (const f of ['engine-id', 'network/files/local-kv.db']) fs.rmSync(path.join(tmp, 'docker', f), { force: true });
    fs.rmSync(path.join(tmp, 'run'), { recursive: true, force: true });
    fs.writeFileSync(path.join(tmp, 'complete'), `${imageId}\n`);
    try {
      fs.renameSync(tmp, dir);
    } catch {
      if (!isSeedComplete(dir)) throw new Error(`could not publish the seed at ${dir}`);
    }
    return dir;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Removes seeds of other host images (after `npm run images` rebuilt it). */
export function pruneSeeds(root: string, keep: string): void {
  let entries: string[] = [];
  try { entries = fs.readdirSync(root); } catch { return; }
  for (const e of entries) {
    const p = path.join(root, e);
    if (p !== keep && !e.startsWith('.build-')) fs.rmSync(p, { recursive: true, force: true });
  }
}
