// The offline image builder. No registry exists here, so every image is made from Debian
// packages (debootstrap → docker import) or from the machine's busybox-static, and carries its
// recipe hash as a label: a second run finds every hash current and builds nothing.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { recipeHashes } from './hash.ts';
import { runLogged, semaphore, step, StepError, waitChild, type Progress } from './proc.ts';
import {
  BUILD_ORDER, DEFAULT_MIRROR, HASH_LABEL, IMAGES_DIR, LESSON_IMAGES, NAME_LABEL, RECIPES, SUITE,
  type ImageName, type LessonImageName,
} from './recipes.ts';

export interface ImageReport {
  name: ImageName;
  tag: string;
  status: 'built' | 'cached';
  /** Wall time spent on this image in this run (0 when cached). */
  seconds: number;
  /** `docker image inspect .Size`, bytes. */
  size: number;
  hash: string;
}

export interface ImageSet {
  host: 'dnl/host:latest';
  lesson: { busybox: 'dnl/busybox:latest'; nginx: 'dnl/nginx:latest'; debian: 'dnl/debian:latest' };
  /** Bytes per outer tag (docker image inspect .Size). */
  sizes: Record<string, number>;
  /** One row per image, in build order. */
  report: ImageReport[];
}

export interface EnsureImagesOptions {
  docker?: Docker;
  onProgress?: (line: string) => void;
  /** Rebuild every image even when its hash is current. */
  force?: boolean;
  /** Debian mirror for debootstrap (default: DNL_DEBIAN_MIRROR or deb.debian.org). */
  mirror?: string;
  /** Where downloaded .debs, build logs and the build lock live (default: <DNL_DATA_DIR>/image-cache). */
  cacheDir?: string;
  signal?: AbortSignal;
}

const IMAGE_SET_TAGS = {
  host: 'dnl/host:latest',
  lesson: { busybox: 'dnl/busybox:latest', nginx: 'dnl/nginx:latest', debian: 'dnl/debian:latest' },
} as const;

function defaultCacheDir(): string {
  return path.resolve(process.env.DNL_DATA_DIR || '.data', 'image-cache');
}

async function inspectOrNull(docker: Docker, tag: string): Promise<Docker.ImageInspectInfo | null> {
  try {
    return await docker.getImage(tag).inspect();
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return null;
    throw err;
  }
}

let inflight: Promise<ImageSet> | undefined;

/** Builds whatever is missing or stale; returns the tags and sizes. Concurrent calls share one build. */
export function ensureImages(opts: EnsureImagesOptions = {}): Promise<ImageSet> {
  if (!inflight) {
    inflight = ensureImagesOnce(opts).finally(() => { inflight = undefined; });
  }
  return inflight;
}

async function ensureImagesOnce(opts: EnsureImagesOptions): Promise<ImageSet> {
  const docker = opts.docker ?? new Docker();
  const progress: Progress = opts.onProgress ?? (() => {});
  const hashes = await recipeHashes();

  const stale = async (): Promise<ImageName[]> => {
    const out: ImageName[] = [];
    for (const name of BUILD_ORDER) {
      const info = await inspectOrNull(docker, RECIPES[name].tag);
      if (opts.force || info?.Config?.Labels?.[HASH_LABEL] !== hashes[name]) out.push(name);
    }
    return out;
  };

  let toBuild = await stale();
  const seconds: Partial<Record<ImageName, number>> = {};
  if (toBuild.length > 0) {
    const cacheDir = opts.cacheDir ?? defaultCacheDir();
    await fsp.mkdir(path.join(cacheDir, 'debs'), { recursive: true });
    await fsp.mkdir(path.join(cacheDir, 'logs'), { recursive: true });
    // One build per machine, whatever the data dir: two builds would fight over CPU and tags.
    const release = await acquireLock(path.join(os.tmpdir(), 'dnl-images-build.lock'), progress, opts.signal);
    try {
      // Another process may have built them while we waited for the lock.
      if (!opts.force) toBuild = await stale();
      if (toBuild.length > 0) {
        preflight(toBuild);
        progress(`[images] building ${toBuild.join(', ')} (cached: ${BUILD_ORDER.filter((n) => !toBuild.includes(n)).join(', ') || 'none'})`);
        const previous = await Promise.all(toBuild.map(async (n) => (await inspectOrNull(docker, RECIPES[n].tag))?.Id));
        await buildAll(docker, toBuild, hashes, { ...opts, cacheDir, progress, seconds });
        // The images we just replaced are untagged now; drop them unless a container still uses
        // them (the engine refuses then, and that is fine). Children before parents (host before host-base).
        for (const id of previous.filter((x): x is string => !!x).reverse()) {
          await docker.getImage(id).remove().catch(() => {});
        }
      }
    } finally {
      await release();
    }
  }

  const report: ImageReport[] = [];
  const sizes: Record<string, number> = {};
  for (const name of BUILD_ORDER) {
    const tag = RECIPES[name].tag;
    const info = await inspectOrNull(docker, tag);
    if (!info) throw new Error(`Image ${tag} is missing after the build. Run \`npm run images -- --force\` and read its output.`);
    sizes[tag] = info.Size;
    const built = toBuild.includes(name);
    report.push({ name, tag, status: built ? 'built' : 'cached', seconds: built ? seconds[name] ?? 0 : 0, size: info.Size, hash: hashes[name] });
  }
  if (toBuild.length === 0) progress(`[images] all ${BUILD_ORDER.length} images are up to date (recipe hashes match); nothing to build`);
  return { ...IMAGE_SET_TAGS, sizes, report };
}

// ---------------------------------------------------------------------------------------------

interface BuildContext extends EnsureImagesOptions {
  cacheDir: string;
  progress: Progress;
  seconds: Partial<Record<ImageName, number>>;
}

async function buildAll(docker: Docker, toBuild: ImageName[], hashes: Record<ImageName, string>, ctx: BuildContext): Promise<void> {
  const work = await fsp.mkdtemp(path.join(os.tmpdir(), 'dnl-images-'));
  // Debootstraps at once (DNL_IMAGE_JOBS, default 2). Measured cold on this 2-core VM (busy with
  // other work): 2 at a time, host-base first, 921 s in all; 3 at a time 1,250 s (dpkg's unpack
  // is disk-bound, so a third run mostly adds contention).
  const slot = semaphore(Math.max(1, Number(process.env.DNL_IMAGE_JOBS) || 2));
  const mirror = ctx.mirror ?? process.env.DNL_DEBIAN_MIRROR ?? DEFAULT_MIRROR;
  const b: Builder = { docker, work, mirror, slot, hashes, ctx };
  try {
    const timed = (name: ImageName, fn: () => Promise<void>) => async () => {
      const t0 = Date.now();
      await fn();
      ctx.seconds[name] = (Date.now() - t0) / 1000;
    };
    const done: Record<ImageName, Promise<void>> = {
      busybox: Promise.resolve(), nginx: Promise.resolve(), debian: Promise.resolve(), 'host-base': Promise.resolve(), host: Promise.resolve(),
    };
    // Start the host base first: its debootstrap is the longest path.
    if (toBuild.includes('host-base')) done['host-base'] = timed('host-base', () => buildHostBase(b))();
    if (toBuild.includes('busybox')) done.busybox = timed('busybox', () => buildBusybox(b))();
    if (toBuild.includes('nginx')) done.nginx = timed('nginx', () => buildNginx(b))();
    if (toBuild.includes('debian')) done.debian = timed('debian', () => buildDebian(b))();
    if (toBuild.includes('host')) {
      const deps = RECIPES.host.dependsOn.map((d) => done[d]);
      done.host = (async () => {
        // The host contains the others, so it waits for any that are being rebuilt.
        const waited = await Promise.allSettled(deps);
        if (waited.some((w) => w.status === 'rejected')) throw new StepError('Building dnl/host:latest stopped: an image it is made from failed to build (see above).');
        await timed('host', () => buildHost(b))();
      })();
    }
    // Surface the first failure, but let the others settle so nothing keeps writing into `work`.
    const results = await Promise.allSettled(Object.values(done));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    for (const f of failed.slice(1)) ctx.progress(`[images] also failed: ${(f.reason as Error).message}`);
    if (failed.length > 0) throw failed[0].reason;
  } finally {
    await removeTree(work);
  }
}

interface Builder {
  docker: Docker;
  work: string;
  mirror: string;
  slot: <T>(fn: () => Promise<T>) => Promise<T>;
  hashes: Record<ImageName, string>;
  ctx: BuildContext;
}

function logFile(b: Builder, name: string, stepName: string): string {
  return path.join(b.ctx.cacheDir, 'logs', `${name}-${stepName}.log`);
}

async function runScript(b: Builder, name: ImageName, stepName: string, scriptName: string, args: string[]): Promise<void> {
  const log = logFile(b, name, stepName);
  await fsp.writeFile(log, '');
  const r = await runLogged('sh', [path.join(IMAGES_DIR, 'scripts', scriptName), ...args], log, { signal: b.ctx.signal });
  if (r.code !== 0) {
    throw new StepError(`Building ${RECIPES[name].tag} failed at step "${stepName}" (${scriptName} exit ${r.code}). ` +
      `Last lines of ${log}:\n${r.tail}\nFix the cause, then retry with: npm run images`, log);
  }
}

async function debootstrap(b: Builder, name: ImageName, dir: string): Promise<void> {
  const pkgs = RECIPES[name].debootstrap ?? [];
  const log = logFile(b, name, 'debootstrap');
  // Take a slot before the first await: slots go in call order, and host-base (the longest
  // path) is asked for first.
  await b.slot(() => step(b.ctx.progress, name, `debootstrap ${SUITE} (+${pkgs.length} packages)`, async () => {
    await fsp.writeFile(log, '');
    // One package cache per image: debootstrap's cache is not safe for concurrent runs
    // (two runs fetching the same .deb delete each other's partial files).
    const debs = path.join(b.ctx.cacheDir, 'debs', name);
    await fsp.mkdir(debs, { recursive: true });
    const args = ['--variant=minbase', `--cache-dir=${debs}`];
    if (pkgs.length) args.push(`--include=${pkgs.join(',')}`);
    args.push(SUITE, dir, b.mirror);
    const r = await runLogged('debootstrap', args, log, { signal: b.ctx.signal });
    if (r.code !== 0) {
      // debootstrap keeps its detailed log inside the target; keep it next to ours.
      const inner = path.join(dir, 'debootstrap', 'debootstrap.log');
      let innerTail = '';
      if (fs.existsSync(inner)) {
        await fsp.copyFile(inner, `${log}.inner`).catch(() => {});
        innerTail = (await fsp.readFile(inner, 'utf8')).split('\n').filter(Boolean).slice(-6).join('\n');
      }
      const download = /Couldn't download|Failed getting release file|Couldn't retrieve|Temporary failure|Could not resolve/i.test(r.tail + innerTail);
      throw new StepError(
        `Building ${RECIPES[name].tag} failed at step "debootstrap" (exit ${r.code})` +
        (download ? `: a download from the Debian mirror ${b.mirror} failed.` : '.') +
        `\nLast lines of ${log}:\n${r.tail}${innerTail ? `\n${innerTail}` : ''}\n` +
        (download
          ? `Check that the mirror is reachable (apt-get update must work; set DNL_DEBIAN_MIRROR to use another mirror), then retry with: npm run images (downloaded packages are kept in ${path.join(b.ctx.cacheDir, 'debs', name)}).`
          : 'Retry with: npm run images'),
        log);
    }
  }));
}

/** tar the directory into `docker import` with our labels. */
async function importDir(b: Builder, name: ImageName, dir: string): Promise<void> {
  const r = RECIPES[name];
  const [repo, tag] = r.tag.split(':');
  await step(b.ctx.progress, name, 'docker import', async () => {
    const tar = spawn('tar', ['--numeric-owner', '-C', dir, '-c', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const tarDone = waitChild(tar, `tar of ${dir}`);
    const changes = [...r.changes, `LABEL ${HASH_LABEL}=${b.hashes[name]}`, `LABEL ${NAME_LABEL}=${name}`];
    const stream = await b.docker.importImage(tar.stdout!, { repo, tag, changes, message: `dnl image builder: ${name}` } as object);
    await new Promise<void>((resolve, reject) => {
      b.docker.modem.followProgress(stream, (err: Error | null, events: Array<{ error?: string }>) => {
        const bad = err?.message ?? events.find((e) => e.error)?.error;
        if (bad) reject(new StepError(`docker import of ${r.tag} failed: ${bad}`));
        else resolve();
      });
    });
    await tarDone;
  });
}

async function buildBusybox(b: Builder): Promise<void> {
  const dir = path.join(b.work, 'busybox');
  await step(b.ctx.progress, 'busybox', 'rootfs from /bin/busybox', () => runScript(b, 'busybox', 'rootfs', 'busybox-rootfs.sh', [dir]));
  await importDir(b, 'busybox', dir);
}

async function buildNginx(b: Builder): Promise<void> {
  const src = path.join(b.work, 'nginx-src');
  const dir = path.join(b.work, 'nginx');
  await debootstrap(b, 'nginx', src);
  await step(b.ctx.progress, 'nginx', 'lean rootfs (busybox + nginx, ping, ip, curl, dig and their libraries)', async () => {
    await runScript(b, 'nginx', 'rootfs', 'busybox-rootfs.sh', [dir]);
    await runScript(b, 'nginx', 'lean', 'nginx-lean.sh', [src, dir]);
  });
  await removeTree(src);
  await importDir(b, 'nginx', dir);
  await removeTree(dir);
}

async function buildDebian(b: Builder): Promise<void> {
  const dir = path.join(b.work, 'debian');
  await debootstrap(b, 'debian', dir);
  await step(b.ctx.progress, 'debian', 'trim', () => runScript(b, 'debian', 'trim', 'debian-trim.sh', [dir]));
  await importDir(b, 'debian', dir);
  await removeTree(dir);
}

async function buildHostBase(b: Builder): Promise<void> {
  const dir = path.join(b.work, 'host-base');
  await debootstrap(b, 'host-base', dir);
  await step(b.ctx.progress, 'host-base', 'configure (bash completion, editor, trim)', async () => {
    await runScript(b, 'host-base', 'trim', 'debian-trim.sh', [dir]);
    await runScript(b, 'host-base', 'setup', 'host-setup.sh', [dir]);
  });
  await importDir(b, 'host-base', dir);
  await removeTree(dir);
}

/** dnl/host = dnl/host-base + one committed layer: dnl-init and the lesson images (docker save). */
async function buildHost(b: Builder): Promise<void> {
  const r = RECIPES.host;
  const dir = path.join(b.work, 'host-top');
  await step(b.ctx.progress, 'host', 'bake dnl-init and the lesson images (busybox, nginx, debian)', async () => {
    const images = path.join(dir, 'opt', 'dnl', 'images');
    await fsp.mkdir(images, { recursive: true });
    await fsp.mkdir(path.join(dir, 'usr', 'local', 'sbin'), { recursive: true });
    await fsp.copyFile(path.join(IMAGES_DIR, 'host', 'dnl-init.sh'), path.join(dir, 'usr', 'local', 'sbin', 'dnl-init'));
    await fsp.chmod(path.join(dir, 'usr', 'local', 'sbin', 'dnl-init'), 0o755);
    await Promise.all(LESSON_IMAGES.map((n) => saveRetagged(b, n, path.join(images, `${n}.tar`))));
  });
  await step(b.ctx.progress, 'host', 'commit on top of dnl/host-base', async () => {
    const [repo, tag] = r.tag.split(':');
    const c = await b.docker.createContainer({
      name: `dnl-image-build-${process.pid}-${Date.now()}`,
      Image: RECIPES['host-base'].tag, Entrypoint: ['/usr/local/sbin/dnl-init'], Cmd: [], NetworkDisabled: true,
    });
    try {
      const tar = spawn('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', dir, '-c', 'opt', 'usr'], { stdio: ['ignore', 'pipe', 'pipe'] });
      const tarDone = waitChild(tar, `tar of ${dir}`);
      await c.putArchive(tar.stdout!, { path: '/' });
      await tarDone;
      const changes = [...r.changes, `LABEL ${HASH_LABEL}=${b.hashes.host}`, `LABEL ${NAME_LABEL}=host`];
      await c.commit({ repo, tag, changes, comment: 'dnl image builder: dnl-init + lesson images' } as object);
    } finally {
      await c.remove({ force: true }).catch(() => {});
    }
  });
  await removeTree(dir);
}

/**
 * `docker save` a lesson image, renamed to the tag learners use inside a sandbox (dnl/nginx →
 * nginx:latest) by rewriting the archive's manifest, so the sandbox only needs `docker load`.
 */
async function saveRetagged(b: Builder, name: LessonImageName, out: string): Promise<void> {
  const r = RECIPES[name];
  const inner = r.innerTag ?? r.tag;
  const dir = path.join(b.work, `save-${name}`);
  await fsp.mkdir(dir, { recursive: true });
  const stream = await b.docker.getImage(r.tag).get();
  const untar = spawn('tar', ['-x', '-C', dir], { stdio: ['pipe', 'ignore', 'pipe'] });
  const untarDone = waitChild(untar, `unpacking docker save of ${r.tag}`);
  stream.pipe(untar.stdin!);
  await untarDone;

  const manifestPath = path.join(dir, 'manifest.json');
  const manifest = JSON.parse(await fsp.readFile(manifestPath, 'utf8')) as Array<{ Config: string; RepoTags: string[] | null; Layers: string[] }>;
  for (const m of manifest) m.RepoTags = [inner];
  await fsp.writeFile(manifestPath, JSON.stringify(manifest));
  const [repo, tag] = inner.split(':');
  const layerId = path.dirname(manifest[0].Layers[manifest[0].Layers.length - 1]);
  const reposPath = path.join(dir, 'repositories');
  await fsp.writeFile(reposPath, JSON.stringify({ [repo]: { [tag]: layerId } }));

  const entries = await fsp.readdir(dir);
  const tar = spawn('tar', ['--numeric-owner', '-C', dir, '-cf', out, ...entries], { stdio: ['ignore', 'ignore', 'pipe'] });
  await waitChild(tar, `packing ${out}`);
  await removeTree(dir);
}

// ---------------------------------------------------------------------------------------------

/**
 * Deletes a build tree. debootstrap mounts /proc and /sys inside its target and a killed run may
 * leave them mounted: unmount anything below the tree first so rm never walks into them.
 */
async function removeTree(dir: string): Promise<void> {
  const real = path.resolve(dir);
  let mounts: string[] = [];
  try {
    mounts = (await fsp.readFile('/proc/self/mounts', 'utf8')).split('\n')
      .map((l) => l.split(' ')[1]).filter((m): m is string => !!m && (m === real || m.startsWith(`${real}/`)))
      .sort((a, x) => x.length - a.length);
  } catch { /* not Linux */ }
  for (const m of mounts) {
    await new Promise<void>((resolve) => spawn('umount', ['-l', m], { stdio: 'ignore' }).on('close', () => resolve()).on('error', () => resolve()));
  }
  await fsp.rm(real, { recursive: true, force: true });
}

/** The tools the build needs, checked before anything starts, with what to do about each. */
function preflight(toBuild: ImageName[]): void {
  const missing: string[] = [];
  const onPath = (bin: string) => (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':').concat('/usr/sbin', '/sbin')
    .some((d) => fs.existsSync(path.join(d, bin)));
  if (toBuild.some((n) => RECIPES[n].debootstrap) && !onPath('debootstrap')) missing.push('debootstrap');
  if (toBuild.some((n) => RECIPES[n].files.includes('/bin/busybox')) && !fs.existsSync('/bin/busybox')) missing.push('busybox-static');
  if (missing.length > 0) {
    throw new StepError(`Building the images needs the Debian packages ${missing.join(', ')}: apt-get install -y ${missing.join(' ')} (npm start installs them when run as root), then retry with: npm run images`);
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0 && toBuild.some((n) => RECIPES[n].debootstrap)) {
    throw new StepError('Building the images needs root (debootstrap and chroot create device files and change ownership). Run: sudo npm run images');
  }
}

/** One build per machine at a time (the runner, `npm run images` and tests may all ask). */
async function acquireLock(file: string, progress: Progress, signal?: AbortSignal): Promise<() => Promise<void>> {
  let announced = false;
  for (;;) {
    signal?.throwIfAborted();
    try {
      const fh = await fsp.open(file, 'wx');
      await fh.writeFile(String(process.pid));
      await fh.close();
      return async () => { await fsp.rm(file, { force: true }); };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const pid = Number((await fsp.readFile(file, 'utf8').catch(() => '')).trim());
    let alive = false;
    if (pid > 0) {
      try { process.kill(pid, 0); alive = true; } catch (e) { alive = (e as NodeJS.ErrnoException).code === 'EPERM'; }
    }
    if (!alive) { await fsp.rm(file, { force: true }); continue; }
    if (!announced) { progress(`[images] another build is running (pid ${pid}); waiting for it …`); announced = true; }
    await new Promise((r) => setTimeout(r, 1000));
  }
}
