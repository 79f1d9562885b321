// Two hosts on one private lab network: names resolve between hosts, swarm init/join, an
// attachable overlay, and a container on node1 pings one on node2 by name (VXLAN inside the lab).
import test from 'node:test';
import assert from 'node:assert/strict';
import { testProvider, cleanup, needHostImage, testConfig } from './sandbox-helpers.ts';

test('two-host sandbox: swarm + attachable overlay, cross-host ping by name', { timeout: 300_000 }, async (t) => {
  if (!(await needHostImage(t))) return;
  const cfg = testConfig();
  t.after(() => cleanup(cfg));
  const p = testProvider(cfg);
  const sb = await p.create({ hosts: 2 });
  const [n1, n2] = sb.hosts;
  assert.deepEqual(sb.hosts.map((h) => h.name), ['node1', 'node2']);
  assert.notEqual(n1!.ip, n2!.ip);

  const byName = await p.exec(sb.id, 'node1', 'ping -c1 -W2 node2');
  assert.equal(byName.exitCode, 0, `node1 reaches node2 by name: ${byName.stdout}${byName.stderr}`);

  const init = await p.exec(sb.id, 'node1', `docker swarm init --advertise-addr ${n1!.ip} >/dev/null && docker swarm join-token -q worker`, { timeoutMs: 60_000 });
  assert.equal(init.exitCode, 0, init.stderr);
  const token = init.stdout.trim();
  const join = await p.exec(sb.id, 'node2', `docker swarm join --advertise-addr ${n2!.ip} --token ${token} ${n1!.ip}:2377`, { timeoutMs: 60_000 });
  assert.equal(join.exitCode, 0, join.stderr);

  const net = await p.exec(sb.id, 'node1', 'docker network create -d overlay --attachable my-overlay >/dev/null && docker run -d --name web1 --network my-overlay nginx >/dev/null', { timeoutMs: 60_000 });
  assert.equal(net.exitCode, 0, net.stderr);
  const run2 = await p.exec(sb.id, 'node2', 'docker run -d --name web2 --network my-overlay nginx >/dev/null', { timeoutMs: 60_000 });
  assert.equal(run2.exitCode, 0, run2.stderr);

  // The overlay's embedded DNS learns web2 through gossip; allow it a moment without sleeping blindly.
  const ping = await p.exec(sb.id, 'node1', 'for i in $(seq 1 40); do docker exec web1 ping -c1 -W1 web2 && exit 0; sleep 0.5; done; exit 1', { timeoutMs: 60_000 });
  assert.equal(ping.exitCode, 0, `web1 on node1 pings web2 on node2: ${ping.stdout}${ping.stderr}`);
  assert.match(ping.stdout, /1 packets received|1 received/);
});
