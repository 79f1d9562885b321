// The live diagram's feed against a real one-host sandbox: the seed's commands (network create,
// run, connect, rm) each arrive as a new snapshot, pushed by the inner engine's events, with the
// addresses the engine really gave (compared with `docker inspect` inside the host).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Topology } from '../../protocol/topology.ts';
import { TopologyHub } from '../../lab-runner/topology/hub.ts';
import type { SandboxInfo } from '../../lab-runner/provider/types.ts';
import { cleanup, needHostImage, testConfig, testProvider } from './sandbox-helpers.ts';

const cfg = testConfig({ labPool: '10.204.0.0/16' });
const provider = testProvider(cfg);

describe('topology feed in a real sandbox', { timeout: 240_000 }, () => {
  let sb: SandboxInfo | undefined;
  let hub: TopologyHub;
  let latest: Topology | undefined;
  let waiters: Array<() => void> = [];
  let off: (() => void) | undefined;

  /** Waits until a pushed snapshot satisfies pred (no polling: each push wakes us). */
  const until = async (what: string, pred: (t: Topology) => boolean, ms = 60_000): Promise<Topology> => {
    const deadline = Date.now() + ms;
    while (!(latest && pred(latest))) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no snapshot with ${what} within ${ms} ms; last: ${JSON.stringify(latest)}`);
      await new Promise<void>((r) => { const t = setTimeout(r, left); waiters.push(() => { clearTimeout(t); r(); }); });
    }
    return latest;
  };
  const sh = async (script: string): Promise<string> => {
    const r = await provider.exec(sb!.id, 'node1', script, { timeoutMs: 60_000 });
    assert.equal(r.exitCode, 0, `$ ${script}\n${r.stdout}${r.stderr}`);
    return r.stdout.trim();
  };
  const host = (t: Topology) => t.hosts[0]!;
  const ctr = (t: Topology, name: string) => host(t).containers.find((c) => c.name === name);

  before(async (t) => {
    if (!(await needHostImage(t as never))) return;
    sb = await provider.create({ hosts: 1 });
    const info = sb;
    hub = new TopologyHub({ provider, sandboxes: { info: () => info, on: () => undefined }, log: () => undefined });
    off = hub.view(info.id, (t) => { latest = t; const w = waiters; waiters = []; for (const f of w) f(); });
  });
  after(async () => {
    off?.();
    hub?.close();
    if (sb) await provider.destroy(sb.id).catch(() => undefined);
    await cleanup(cfg);
  });

  test('first snapshot: the host with its lab address and the three default networks', async (t) => {
    if (!sb) return t.skip('no host image');
    const first = await until('the default networks', (x) => host(x).networks.length >= 3);
    assert.equal(host(first).name, 'node1');
    assert.equal(host(first).ip, sb.hosts[0]!.ip);
    const bridge = host(first).networks.find((n) => n.name === 'bridge')!;
    assert.deepEqual([bridge.driver, bridge.subnet, bridge.gateway, bridge.builtin], ['bridge', '172.17.0.0/16', '172.17.0.1', true]);
    assert.deepEqual(host(first).networks.map((n) => n.name).slice(0, 3), ['bridge', 'host', 'none']);
  });

  test('network create, run ×2, connect, rm: each change is pushed with the real addresses', async (t) => {
    if (!sb) return t.skip('no host image');
    await sh('docker network create my_bridge_network');
    const net = (await until('my_bridge_network', (x) => host(x).networks.some((n) => n.name === 'my_bridge_network'))).hosts[0]!.networks.find((n) => n.name === 'my_bridge_network')!;
    const [subnet, gateway] = (await sh("docker network inspect my_bridge_network -f '{{(index .IPAM.Config 0).Subnet}} {{(index .IPAM.Config 0).Gateway}}'")).split(' ');
    assert.deepEqual([net.driver, net.subnet, net.gateway], ['bridge', subnet, gateway]);

    await sh('docker run -d --name container3 --network my_bridge_network nginx && docker run -d --name container4 --network my_bridge_network nginx');
    const both = await until('container3 and container4 with IPs', (x) => ['container3', 'container4'].every((n) => ctr(x, n)?.endpoints[0]?.ip));
    for (const name of ['container3', 'container4']) {
      const real = (await sh(`docker inspect ${name} -f '{{(index .NetworkSettings.Networks "my_bridge_network").IPAddress}} {{(index .NetworkSettings.Networks "my_bridge_network").MacAddress}}'`)).split(' ');
      const ep = ctr(both, name)!.endpoints.find((e) => e.network === 'my_bridge_network')!;
      assert.deepEqual([ep.ip, ep.mac], real, name);
      assert.equal(ctr(both, name)!.state, 'running');
    }

    await sh('docker network create other_bridge_network && docker network connect other_bridge_network container3');
    const connected = await until('container3 on two networks', (x) => (ctr(x, 'container3')?.endpoints.length ?? 0) === 2);
    assert.deepEqual(ctr(connected, 'container3')!.endpoints.map((e) => e.network), ['my_bridge_network', 'other_bridge_network']);

    await sh('docker rm -f container4');
    const removed = await until('container4 gone', (x) => !ctr(x, 'container4'));
    assert.ok(ctr(removed, 'container3'));
  });
});
