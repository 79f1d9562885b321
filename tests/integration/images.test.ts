// The offline images: built once per recipe (a second run builds nothing, every image carries
// its recipe hash), the lesson images run on the outer engine with what lessons need, and the
// sandbox host image boots an inner engine that runs them offline, with no upstream DNS.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import Docker from 'dockerode';
import { ensureImages, recipeHashes, HASH_LABEL, RECIPES, type ImageName } from '../../lab-runner/images/index.ts';
import { probeHost, sandboxSecurity } from '../../lab-runner/probe/index.ts';

const docker = new Docker({ socketPath: process.env.DOCKER_SOCKET || '/var/run/docker.sock' });
const RUN = `test-img-${crypto.randomBytes(4).toString('hex')}`;
const LABELS = { 'dnl.instance': RUN, 'dnl.test': 'images' };

function sh(cmd: string, args: string[], timeout = 120_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Removes every container and volume this file created (by label), whatever happened. */
async function cleanup(): Promise<void> {
  const filters = { label: [`dnl.instance=${RUN}`] };
  for (const c of await docker.listContainers({ all: true, filters })) {
    await docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => {});
  }
  const { Volumes } = await docker.listVolumes({ filters });
  for (const v of Volumes ?? []) await docker.getVolume(v.Name).remove({ force: true }).catch(() => {});
}

test.after(cleanup);

test('ensureImages: the second run builds nothing and every image carries its recipe hash', { timeout: 20 * 60_000 }, async () => {
  const lines1: string[] = [];
  const first = await ensureImages({ docker, onProgress: (l) => lines1.push(l) });
  assert.ok(lines1.every((l) => l.startsWith('[images] ')), 'progress lines are prefixed');

  const lines2: string[] = [];
  const t0 = Date.now();
  const second = await ensureImages({ docker, onProgress: (l) => lines2.push(l) });
  const took = Date.now() - t0;
  assert.ok(second.report.length >= 4 && second.report.every((r) => r.status === 'cached'), `nothing rebuilt: ${JSON.stringify(second.report)}`);
  assert.ok(lines2.some((l) => /nothing to build/.test(l)), `says so: ${lines2.join(' | ')}`);
  assert.ok(took < 10_000, `a cached run is quick (${took} ms)`);

  assert.equal(second.host, 'dnl/host:latest');
  assert.deepEqual(second.lesson, { busybox: 'dnl/busybox:latest', nginx: 'dnl/nginx:latest', debian: 'dnl/debian:latest' });
  const hashes = await recipeHashes();
  for (const name of Object.keys(RECIPES) as ImageName[]) {
    const info = await docker.getImage(RECIPES[name].tag).inspect();
    assert.equal(info.Config.Labels?.[HASH_LABEL], hashes[name], `${name} carries its recipe hash`);
    assert.equal(second.sizes[RECIPES[name].tag], info.Size, `${name} size reported`);
    assert.ok(info.Size > 0);
  }
  // Lean lesson images: they are copied into every sandbox at start.
  assert.ok(second.sizes['dnl/busybox:latest'] < 5e6, 'busybox stays a few MB');
  assert.ok(second.sizes['dnl/nginx:latest'] < 100e6, 'nginx stays lean');
  assert.equal(first.host, second.host);
});

test('lesson images run on the outer engine with what lessons need', { timeout: 5 * 60_000 }, async () => {
  const bb = await sh('docker', ['run', '--rm', '--network', 'none', '--label', `dnl.instance=${RUN}`, 'dnl/busybox:latest', 'sh', '-c', 'echo hi; ls /bin/ping /bin/wget >/dev/null']);
  assert.equal(bb.code, 0, bb.stderr);
  assert.equal(bb.stdout.trim(), 'hi');

  const deb = await sh('docker', ['run', '--rm', '--network', 'none', '--label', `dnl.instance=${RUN}`, 'dnl/debian:latest', 'bash', '-c',
    'cat /etc/debian_version && ping -V && ip -V && command -v apt-get']);
  assert.equal(deb.code, 0, deb.stderr);
  assert.match(deb.stdout, /^12\./, 'Debian 12 (bookworm)');
  const debCmd = (await docker.getImage('dnl/debian:latest').inspect()).Config.Cmd;
  assert.deepEqual(debCmd, ['bash']);

  // nginx: the default command serves the default page on port 80 (asked from inside the
  // container itself: --network none, no traffic leaves it), and carries ping, ip, curl, dig.
  const name = `${RUN}-nginx`;
  const run = await sh('docker', ['run', '-d', '--name', name, '--network', 'none', '--label', `dnl.instance=${RUN}`, 'dnl/nginx:latest']);
  assert.equal(run.code, 0, run.stderr);
  let page = { code: 1, stdout: '', stderr: '' };
  for (let i = 0; i < 50 && page.code !== 0; i++) {
    // curl's own retry waits for nginx to bind port 80 (a condition, not a fixed sleep).
    page = await sh('docker', ['exec', name, 'curl', '-fsS', '--retry', '20', '--retry-connrefused', '--retry-delay', '0', 'http://127.0.0.1/']);
  }
  assert.equal(page.code, 0, page.stderr);
  assert.match(page.stdout, /Welcome to nginx/);
  const tools = await sh('docker', ['exec', name, 'sh', '-c',
    'ping -c 1 -W 2 127.0.0.1 >/dev/null && ip -br addr show lo && curl --version | head -n1 && dig -v 2>&1 && nslookup -version 2>&1 | head -n1; true']);
  assert.equal(tools.code, 0, tools.stderr);
  assert.match(tools.stdout, /^lo\s+UNKNOWN\s+127\.0\.0\.1\/8/m, 'ip is iproute2');
  assert.match(tools.stdout, /^curl \d/m, 'curl');
  assert.match(tools.stdout, /DiG 9\./, 'dig');
  const pingReal = await sh('docker', ['exec', name, 'ping', '-V']);
  assert.match(pingReal.stdout, /iputils/, 'ping is iputils (not the busybox applet)');
  // dig really resolves: a container name through Docker's embedded DNS on an --internal network.
  const net = `${RUN}-net`;
  await docker.createNetwork({ Name: net, Internal: true, Labels: LABELS });
  try {
    const web = await sh('docker', ['run', '-d', '--name', `${RUN}-web`, '--network', net, '--label', `dnl.instance=${RUN}`, 'dnl/busybox:latest', 'sleep', '300']);
    assert.equal(web.code, 0, web.stderr);
    const q = await sh('docker', ['run', '--rm', '--network', net, '--label', `dnl.instance=${RUN}`, 'dnl/nginx:latest', 'dig', '+short', `${RUN}-web`]);
    assert.equal(q.code, 0, q.stderr);
    assert.match(q.stdout.trim(), /^\d+\.\d+\.\d+\.\d+$/, `dig answered with an address: ${q.stdout}`);
  } finally {
    await cleanup();
    await docker.getNetwork(net).remove().catch(() => {});
  }
  const cmd = (await docker.getImage('dnl/nginx:latest').inspect()).Config.Cmd;
  assert.deepEqual(cmd, ['nginx', '-g', 'daemon off;']);
});

test('the sandbox host boots an inner engine with busybox and nginx loaded, offline, no upstream DNS', { timeout: 5 * 60_000 }, async (t) => {
  const probe = await probeHost({ docker });
  const security = sandboxSecurity(probe);
  const volume = `${RUN}-docker`;
  await docker.createVolume({ Name: volume, Labels: LABELS });
  const c = await docker.createContainer({
    name: `${RUN}-host`, Image: 'dnl/host:latest', Hostname: 'node1', Labels: LABELS,
    HostConfig: { ...security, NetworkMode: 'none', Binds: [`${volume}:/var/lib/docker`] },
  });
  const t0 = Date.now();
  await c.start();
  const name = `${RUN}-host`;
  // One exec that returns when dnl-init says ready (or failed), bounded by its own deadline.
  const ready = await sh('docker', ['exec', name, 'bash', '-c',
    'for i in $(seq 1 1200); do [ -e /run/dnl/ready ] && exit 0; [ -e /run/dnl/failed ] && { cat /run/dnl/failed; exit 1; }; sleep 0.05; done; echo timeout; exit 1']);
  const readyMs = Date.now() - t0;
  if (ready.code !== 0) {
    const log = await sh('docker', ['exec', name, 'tail', '-n', '30', '/var/log/dockerd.log']);
    assert.fail(`the host never became ready: ${ready.stdout}${ready.stderr}\n${log.stdout}`);
  }
  t.diagnostic(`host ready after ${readyMs} ms`);

  const hi = await sh('docker', ['exec', name, 'docker', 'run', '--rm', 'busybox', 'echo', 'hi']);
  assert.equal(hi.code, 0, hi.stderr);
  assert.equal(hi.stdout.trim(), 'hi');

  const images = await sh('docker', ['exec', name, 'docker', 'images', '--format', '{{.Repository}}:{{.Tag}}']);
  assert.equal(images.code, 0, images.stderr);
  const list = images.stdout.split('\n').filter(Boolean);
  assert.ok(list.includes('busybox:latest'), `busybox listed: ${list.join(', ')}`);
  assert.ok(list.includes('nginx:latest'), `nginx listed: ${list.join(', ')}`);
  assert.ok(!list.some((l) => l.startsWith('dnl/')), 'only the names learners type');

  const resolv = await sh('docker', ['exec', name, 'cat', '/etc/resolv.conf']);
  const servers = resolv.stdout.split('\n').filter((l) => /^\s*nameserver/.test(l)).map((l) => l.trim().split(/\s+/)[1]);
  assert.deepEqual(servers, ['127.0.0.1'], `no upstream resolver: ${resolv.stdout}`);

  // debian arrives lazily but does arrive, and `docker run debian` just works.
  const deb = await sh('docker', ['exec', name, 'bash', '-c',
    'for i in $(seq 1 1200); do [ -e /run/dnl/debian-ready ] && break; sleep 0.05; done; docker run --rm debian cat /etc/debian_version']);
  assert.equal(deb.code, 0, deb.stderr);
  assert.match(deb.stdout, /^12\./);

  // A learner's shell feels like a Docker host: hostname prompt, docker completion loaded.
  // (bash-completion loads a command's completion on first use; ask its loader like a TAB would.)
  const shell = await sh('docker', ['exec', '-e', 'TERM=xterm', name, 'bash', '-lic',
    'case "$PS1" in *\\\\h*) ;; *) echo "no hostname in PS1: $PS1"; exit 1;; esac; _completion_loader docker; complete -p docker']);
  assert.equal(shell.code, 0, `prompt shows the hostname and docker completes: ${shell.stdout}${shell.stderr}`);
  assert.match(shell.stdout, /complete .* docker/);
});
