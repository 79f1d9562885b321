// One learner, one host: the seed's bridge example works verbatim, exec/events/engine behave,
// and egress is blocked by configuration (inspected, never probed).
import test from 'node:test';
import assert from 'node:assert/strict';
import type { SandboxEvent } from '../../lab-runner/provider/types.ts';
import { testProvider, cleanup, docker, needHostImage, testConfig } from './sandbox-helpers.ts';

test('single-host sandbox: bridge + ping by name, exec, events, egress blocked by config', { timeout: 240_000 }, async (t) => {
  if (!(await needHostImage(t))) return;
  const cfg = testConfig();
  t.after(() => cleanup(cfg));
  const p = testProvider(cfg);
  const sb = await p.create({ hosts: 1, labels: { 'dnl.owner': 'alice', 'dnl.state': 'claimed' } });
  assert.equal(sb.hosts.length, 1);
  assert.equal(sb.hosts[0]!.name, 'node1');
  assert.ok(sb.network.subnet.startsWith(cfg.labPool.split('.').slice(0, 2).join('.') + '.'), sb.network.subnet);
  assert.equal(sb.labels['dnl.owner'], 'alice');

  // Inner engine through its own socket; busybox and nginx are there the moment it is ready.
  const inner = p.engine(sb.id, 'node1');
  const tags = (await inner.listImages()).flatMap((i) => i.RepoTags ?? []);
  assert.ok(tags.includes('busybox:latest') && tags.includes('nginx:latest'), tags.join(' '));
  // debian too, at once (the image seed holds it; no registry anywhere).
  const deb = await p.exec(sb.id, 'node1', 'docker run --rm debian cat /etc/debian_version', { timeoutMs: 60_000 });
  assert.equal(deb.exitCode, 0, deb.stderr);
  assert.match(deb.stdout, /^\d+\.\d+/);

  // Inner events arrive as the learner works.
  const ac = new AbortController();
  const seen: SandboxEvent[] = [];
  const following = p.events(sb.id, ac.signal, (e) => seen.push(e));

  const r = await p.exec(sb.id, 'node1', [
    'set -e',
    'docker network create my_bridge >/dev/null',
    'docker run -d --name c1 --network my_bridge nginx >/dev/null',
    'docker run -d --name c2 --network my_bridge nginx >/dev/null',
    'docker exec c1 ping -c1 -W2 c2',
  ].join('\n'), { timeoutMs: 60_000 });
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, /1 packets received|1 received/);

  await waitFor(() => seen.some((e) => e.type === 'network' && e.action === 'create' && e.actor.attributes.name === 'my_bridge'));
  assert.ok(seen.some((e) => e.type === 'container' && e.action === 'start' && e.host === 'node1'));
  ac.abort();
  await following;

  // exec: separate streams, exit codes, timeout → 124, abort.
  const e1 = await p.exec(sb.id, 'node1', 'echo out; echo err >&2; exit 3');
  assert.deepEqual(e1, { exitCode: 3, stdout: 'out\n', stderr: 'err\n' });
  const started = Date.now();
  const e2 = await p.exec(sb.id, 'node1', 'sleep 30', { timeoutMs: 1000 });
  assert.equal(e2.exitCode, 124);
  assert.ok(Date.now() - started < 10_000);
  const stdin = await p.exec(sb.id, 'node1', 'tr a-z A-Z', { stdin: 'hello' });
  assert.equal(stdin.stdout, 'HELLO');
  const abort = new AbortController();
  setTimeout(() => abort.abort(new Error('left the lesson')), 300);
  await assert.rejects(p.exec(sb.id, 'node1', 'sleep 30', { signal: abort.signal }), /left the lesson/);

  // Egress: blocked by CONFIG (no packets are sent anywhere outside the lab).
  const net = await docker.getNetwork(sb.network.name).inspect();
  assert.equal(net.Internal, true, 'the lab network is --internal');
  const routes = await p.exec(sb.id, 'node1', 'ip -4 route show');
  assert.doesNotMatch(routes.stdout, /^default/m, `no default route: ${routes.stdout}`);
  const resolv = await p.exec(sb.id, 'node1', 'cat /etc/resolv.conf');
  const servers = [...resolv.stdout.matchAll(/^nameserver\s+(\S+)/gm)].map((m) => m[1]);
  assert.ok(servers.length > 0 && servers.every((s) => s === '127.0.0.1' || s === '127.0.0.11'), `only loopback resolvers: ${servers.join(', ')}`);
  const outer = await docker.getContainer(sb.hosts[0]!.id).inspect();
  assert.deepEqual(outer.HostConfig.Dns, ['127.0.0.1'], 'the embedded DNS has no upstream');
  const innerResolv = await p.exec(sb.id, 'node1', 'docker exec c1 cat /etc/resolv.conf');
  assert.doesNotMatch(innerResolv.stdout, /nameserver\s+(?!127\.)/, innerResolv.stdout);

  // Limits are on the host container.
  assert.equal(outer.HostConfig.Memory, cfg.hostMemoryMb * 1024 * 1024);
  assert.equal(outer.HostConfig.PidsLimit, cfg.hostPids);
  assert.equal(outer.HostConfig.RestartPolicy?.Name, 'unless-stopped');

  const term = p.terminalCommand(sb.id, 'node1');
  assert.deepEqual(term, { file: 'docker', args: ['exec', '-it', '-e', 'TERM=xterm-256color', `dnl-${cfg.instance}-${sb.id}-node1`, 'bash', '-l'] });

  // Reset gives a fresh host with the same name and address.
  const again = await p.reset(sb.id, 'node1');
  assert.equal(again.hosts[0]!.ip, sb.hosts[0]!.ip);
  const after = await p.exec(sb.id, 'node1', 'docker ps -aq | wc -l');
  assert.equal(after.stdout.trim(), '0');

  await p.destroy(sb.id);
  assert.equal(await p.inspect(sb.id), undefined);
});

async function waitFor(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
