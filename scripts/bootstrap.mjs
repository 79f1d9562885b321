// Bootstrap shared by `npm start` and `npm test`. Plain JavaScript with Node built-ins only:
// it runs before node_modules exists. Each step says what it is doing and, when it cannot
// continue, exactly what the operator should do.
import { spawnSync, spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const dataDir = path.resolve(root, process.env.DNL_DATA_DIR || '.data');

const t0 = Date.now();
export function step(msg) {
  const s = ((Date.now() - t0) / 1000).toFixed(1).padStart(6);
  console.log(`[${s}s] ${msg}`);
}

export class BootstrapError extends Error {}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.error) throw new BootstrapError(`${cmd} could not run: ${r.error.message}`);
  return r.status ?? 1;
}

function quiet(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'pipe', encoding: 'utf8', cwd: root, ...opts });
  return { ok: !r.error && r.status === 0, out: (r.stdout || '') + (r.stderr || '') };
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;
const isDebian = () => fs.existsSync('/etc/debian_version');
const has = (bin) => quiet('sh', ['-c', `command -v ${bin}`]).ok;

export function ensureNodeModules() {
  const stamp = path.join(root, 'node_modules', '.package-lock.json');
  const lock = path.join(root, 'package-lock.json');
  const fresh = fs.existsSync(stamp) && (!fs.existsSync(lock) || fs.statSync(stamp).mtimeMs >= fs.statSync(lock).mtimeMs);
  if (fresh) { step('npm packages: installed'); return; }
  step('npm packages: installing (npm ci) …');
  const code = fs.existsSync(lock) ? run('npm', ['ci', '--no-audit', '--no-fund']) : run('npm', ['install', '--no-audit', '--no-fund']);
  if (code !== 0) throw new BootstrapError('npm could not install the packages (see above). Check that the npm registry is reachable, then run the command again.');
}

let aptUpdated = false;
function aptInstall(pkgs, why) {
  const missing = pkgs.filter((p) => !quiet('dpkg-query', ['-W', '-f=${Status}', p]).out.includes('install ok installed'));
  if (missing.length === 0) return;
  if (!isRoot() || !isDebian()) {
    throw new BootstrapError(`${why} needs the Debian packages ${missing.join(', ')}. Install them (sudo apt-get install -y ${missing.join(' ')}) or run this command as root on Debian.`);
  }
  step(`apt: installing ${missing.join(', ')} (${why}) …`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    if (run('apt-get', ['update', '-q'], { env }) !== 0) throw new BootstrapError('apt-get update failed: check that the Debian mirror in /etc/apt/sources.list is reachable.');
    aptUpdated = true;
  }
  // With recommends: that is the install DESIGN.md verified (docker.io pulls apparmor, cgroupfs-mount).
  if (run('apt-get', ['install', '-y', '-q', ...missing], { env: { ...env, NEEDRESTART_MODE: 'l' } }) !== 0) {
    throw new BootstrapError(`apt-get install ${missing.join(' ')} failed (see above).`);
  }
}

/** Packages the image builder needs on the machine (debootstrap, busybox-static). */
export function ensureBuildTools() {
  if (has('debootstrap') && fs.existsSync('/bin/busybox') && quiet('dpkg-query', ['-W', '-f=${Status}', 'busybox-static']).out.includes('install ok')) return;
  aptInstall(['debootstrap', 'busybox-static'], 'building the offline images');
}

export function ensureChromium() {
  // Fonts matter too: without them Korean pages render as boxes in screenshots.
  if (fs.existsSync('/usr/bin/chromium') && !(isRoot() && isDebian())) { step('chromium: /usr/bin/chromium'); return; }
  aptInstall(['chromium', 'fonts-liberation', 'fonts-dejavu-core', 'fonts-nanum'], 'the browser tests (fonts-nanum: Korean lessons)');
  step('chromium: /usr/bin/chromium');
}

function dockerUp() { return quiet('docker', ['info', '--format', '{{.ServerVersion}}']); }

/** The engine's socket exists (something may be listening) but this user may not open it. */
function socketRefusesUs() {
  try { fs.accessSync(socketPath(), fs.constants.R_OK | fs.constants.W_OK); return false; } catch (err) { return err.code === 'EACCES'; }
}

const socketPath = () => (process.env.DOCKER_HOST || 'unix:///var/run/docker.sock').replace(/^unix:\/\//, '');

export async function ensureDocker() {
  let info = dockerUp();
  if (info.ok) { step(`docker engine: running (${info.out.trim()})`); return { startedPid: undefined }; }
  if (/permission denied/i.test(info.out) || socketRefusesUs()) {
    throw new BootstrapError(`A Docker engine is running but this user may not use it (permission denied on ${socketPath()}). Add the user to the docker group (sudo usermod -aG docker $USER, then log in again) or run as root.`);
  }
  if (!has('dockerd')) {
    if (!isRoot() || !isDebian()) {
      throw new BootstrapError('No Docker engine is running and dockerd is not installed. Install Docker (Debian: sudo apt-get install -y docker.io) and start it (sudo systemctl start docker), then run this again.');
    }
    aptInstall(['docker.io'], 'running sandboxes');
  }
  if (!has('docker')) aptInstall(['docker-cli'], 'talking to the engine');
  if (!isRoot()) {
    throw new BootstrapError('dockerd is installed but not running, and only root can start it. Run: sudo systemctl start docker (or sudo dockerd &), then run this again.');
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const log = path.join(dataDir, 'dockerd.log');
  step(`docker engine: starting dockerd in the background (log: ${path.relative(root, log)}) …`);
  const fd = fs.openSync(log, 'a');
  const child = spawn('dockerd', [], { detached: true, stdio: ['ignore', fd, fd] });
  child.unref();
  fs.closeSync(fd);
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    info = dockerUp();
    if (info.ok) { step(`docker engine: running (${info.out.trim()}, pid ${child.pid})`); return { startedPid: child.pid }; }
    if (child.exitCode !== null) break;
  }
  let tail = '';
  try { tail = fs.readFileSync(log, 'utf8').split('\n').slice(-8).join('\n'); } catch { /* no log */ }
  throw new BootstrapError(`dockerd did not come up within 90 s. Last lines of ${log}:\n${tail}`);
}

/** Builds (or confirms) the offline images, with the builder's own progress lines. */
export function ensureImages() {
  const code = run(process.execPath, ['--import', 'tsx', 'lab-runner/cli/images.ts']);
  if (code !== 0) throw new BootstrapError('Building the offline images failed (see above). `npm run images` retries just this step.');
}

/** The web build's folder: .next, or DNL_NEXT_DIST_DIR (the e2e tests build into their own). */
function distDir(env = process.env) { return env.DNL_NEXT_DIST_DIR || '.next'; }

export function nextBuildIsCurrent(env = process.env) {
  const id = path.join(root, distDir(env), 'BUILD_ID');
  if (!fs.existsSync(id)) return false;
  const built = fs.statSync(id).mtimeMs;
  const newest = (dir) => {
    let m = 0;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      const p = path.join(dir, e.name);
      m = Math.max(m, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
    }
    return m;
  };
  const inputs = ['app', 'lessons', 'protocol', 'public'].map((d) => path.join(root, d))
    .concat(env.DNL_LESSONS_DIR ? [path.resolve(root, env.DNL_LESSONS_DIR)] : [])
    .filter((d) => fs.existsSync(d));
  const files = ['next.config.mjs', 'proxy.ts', 'package-lock.json', 'tsconfig.json'].map((f) => path.join(root, f)).filter((f) => fs.existsSync(f));
  const newestInput = Math.max(...inputs.map(newest), ...files.map((f) => fs.statSync(f).mtimeMs));
  return built >= newestInput;
}

/** Builds the web app unless its build is newer than every input. `env` picks the dist dir and lessons. */
export function ensureWebBuild(env = process.env) {
  if (nextBuildIsCurrent(env)) { step('web app: built'); return; }
  step(`web app: building (next build${distDir(env) === '.next' ? '' : ` into ${distDir(env)}`}) …`);
  const code = run(process.execPath, [path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next'), 'build'], { env: { ...env, NEXT_TELEMETRY_DISABLED: '1' } });
  if (code !== 0) throw new BootstrapError('next build failed (see above). A lesson error names its file and field; fix it and run again.');
}

export function fail(err) {
  if (err instanceof BootstrapError) console.error(`\n✖ ${err.message}\n`);
  else console.error(err);
  process.exit(1);
}

export { execFileSync };
