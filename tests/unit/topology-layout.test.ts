// The diagram's layout (app/lesson/TopologyLayout.ts) with the real elkjs in Node: every
// network and container of every host gets a box inside its host, nothing overlaps, and each
// attachment is an edge from the network's box to the container's box.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import ElkModule from 'elkjs/lib/elk.bundled.js';
import type { ELK as ElkApi } from 'elkjs/lib/elk-api.js';
import type { Topology } from '../../protocol/topology.ts';
import { containerLines, layoutTopology, type DiagramBox } from '../../app/lesson/TopologyLayout.ts';

// elkjs is CommonJS: under Node's ESM its class is the module's default export.
const ELK = ((ElkModule as unknown as { default?: unknown }).default ?? ElkModule) as new () => ElkApi;

const net = (name: string, subnet?: string, gateway?: string, driver = 'bridge') =>
  ({ id: name.slice(0, 12), name, driver, scope: 'local', internal: false, builtin: ['bridge', 'host', 'none'].includes(name), ...(subnet ? { subnet } : {}), ...(gateway ? { gateway } : {}) });
const ctr = (name: string, eps: Array<[string, string, string]>) => ({
  id: name, name, image: 'nginx', state: 'running', status: 'Up', ports: [],
  endpoints: eps.map(([network, ip, mac]) => ({ network, ip, prefix: 16, mac, aliases: [] })),
});

const lab: Topology = {
  type: 'topology', sandbox: 'sb1', at: 0,
  hosts: [
    {
      name: 'node1', ip: '10.204.0.2',
      networks: [net('bridge', '172.17.0.0/16', '172.17.0.1'), net('host', undefined, undefined, 'host'), net('none', undefined, undefined, 'null'), net('my_bridge_network', '172.18.0.0/16', '172.18.0.1')],
      containers: [
        ctr('container3', [['my_bridge_network', '172.18.0.2', '02:42:ac:12:00:02'], ['other', '172.19.0.2', '02:42:ac:13:00:02']]),
        ctr('container4', [['my_bridge_network', '172.18.0.3', '02:42:ac:12:00:03']]),
      ],
    },
    { name: 'node2', ip: '10.204.0.3', networks: [net('bridge', '172.17.0.0/16', '172.17.0.1')], containers: [ctr('web', [['bridge', '172.17.0.2', '02:42:ac:11:00:02']])] },
  ],
};

const inside = (a: DiagramBox, b: DiagramBox) => a.x >= b.x && a.y >= b.y && a.x + a.w <= b.x + b.w && a.y + a.h <= b.y + b.h;
const overlap = (a: DiagramBox, b: DiagramBox) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

test('container text: name, image, each address with its network when there are several, MACs', () => {
  assert.deepEqual(containerLines(lab.hosts[0]!.containers[1]!), ['container4', 'nginx', '172.18.0.3', '02:42:ac:12:00:03']);
  assert.deepEqual(containerLines(lab.hosts[0]!.containers[0]!).slice(2), ['172.18.0.2 @my_bridge_network', '02:42:ac:12:00:02', '172.19.0.2 @other', '02:42:ac:13:00:02']);
});

test('layout: boxes inside their host, no overlaps, networks above their containers, edges end at both boxes', async () => {
  const d = await layoutTopology(lab, new ELK());
  const hosts = d.boxes.filter((b) => b.kind === 'host');
  assert.deepEqual(hosts.map((h) => h.name), ['node1', 'node2']);
  assert.ok(!overlap(hosts[0]!, hosts[1]!), 'hosts do not overlap');
  for (const h of hosts) {
    const kids = d.boxes.filter((b) => b.kind !== 'host' && b.host === h.name);
    for (const k of kids) assert.ok(inside(k, h), `${k.id} lies inside ${h.name}`);
    for (const a of kids) for (const b of kids) if (a !== b) assert.ok(!overlap(a, b), `${a.id} / ${b.id}`);
  }
  assert.equal(d.boxes.filter((b) => b.kind === 'network').length, 5);
  assert.equal(d.boxes.filter((b) => b.kind === 'container').length, 3);
  // container3's `other` network is not in the list (removed meanwhile): no edge to nowhere.
  assert.deepEqual(d.edges.map((e) => `${e.network}->${e.container}`).sort(), ['bridge->web', 'my_bridge_network->container3', 'my_bridge_network->container4']);
  const box = (id: string) => d.boxes.find((b) => b.id === id)!;
  for (const e of d.edges) {
    const n = box(`${e.host}/network/${e.network}`), c = box(`${e.host}/container/${e.container}`);
    assert.ok(n.y + n.h <= c.y, `${e.network} is drawn above ${e.container}`);
    const [p0, pn] = [e.points[0]!, e.points.at(-1)!];
    assert.ok(Math.abs(p0.y - (n.y + n.h)) < 1 && p0.x >= n.x && p0.x <= n.x + n.w, `${e.id} starts on the network's bottom edge`);
    assert.ok(Math.abs(pn.y - c.y) < 1 && pn.x >= c.x && pn.x <= c.x + c.w, `${e.id} ends on the container's top edge`);
  }
  assert.ok(d.width >= Math.max(...hosts.map((h) => h.x + h.w)) && d.height >= Math.max(...hosts.map((h) => h.y + h.h)));
});
