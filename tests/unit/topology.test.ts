// The diagram's snapshot mapping (Engine API list answers → protocol/topology.ts) and the feed's
// event handling, without an engine: recorded answers of an Engine 20.10 inner engine.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type Docker from 'dockerode';
import { TopologySchema } from '../../protocol/topology.ts';
import { LabServerMessageSchema } from '../../protocol/lab.ts';
import { changesTopology, TopologyFeed } from '../../lab-runner/topology/feed.ts';
import { readTopology, sameTopology, toContainer, toNetwork } from '../../lab-runner/topology/snapshot.ts';
import type { SandboxEvent } from '../../lab-runner/provider/types.ts';

const NETS: Array<Parameters<typeof toNetwork>[0]> = [
  { Name: 'my_bridge_network', Id: 'a1b2c3d4e5f60718293a', Driver: 'bridge', Scope: 'local', Internal: false, IPAM: { Config: [{ Subnet: '172.18.0.0/16', Gateway: '172.18.0.1' }] } },
  { Name: 'none', Id: 'ffff00001111222233', Driver: 'null', Scope: 'local', Internal: false, IPAM: { Config: [] } },
  { Name: 'bridge', Id: '0123456789abcdef00', Driver: 'bridge', Scope: 'local', Internal: false, IPAM: { Config: [{ Subnet: '172.17.0.0/16', Gateway: '172.17.0.1' }] } },
  { Name: 'host', Id: '9999888877776666', Driver: 'host', Scope: 'local', Internal: false, IPAM: { Config: null } },
];
const CTRS: Array<Parameters<typeof toContainer>[0]> = [
  {
    Id: '4c0ffee00000aaaa1111', Names: ['/container4'], Image: 'nginx', State: 'running', Status: 'Up 2 seconds', Ports: [],
    NetworkSettings: { Networks: { my_bridge_network: { IPAddress: '172.18.0.3', IPPrefixLen: 16, MacAddress: '02:42:ac:12:00:03', Gateway: '172.18.0.1', Aliases: null } } },
  },
  {
    Id: '3c0ffee00000bbbb2222', Names: ['/container3'], Image: 'nginx', State: 'running', Status: 'Up 3 seconds',
    Ports: [{ IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }, { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }, { PrivatePort: 443, Type: 'tcp' }],
    NetworkSettings: { Networks: {
      other: { IPAddress: '172.19.0.2', IPPrefixLen: 16, MacAddress: '02:42:ac:13:00:02', Gateway: '172.19.0.1', Aliases: ['3c0ffee00000', 'web'] },
      my_bridge_network: { IPAddress: '172.18.0.2', IPPrefixLen: 16, MacAddress: '02:42:ac:12:00:02', Gateway: '172.18.0.1' },
    } },
  },
  { Id: 'dead00000000', Names: ['/stopped'], Image: 'busybox', State: 'exited', Status: 'Exited (0) 1 minute ago', NetworkSettings: { Networks: { bridge: { IPAddress: '', MacAddress: '' } } } },
];

function fakeEngine(nets: unknown[] = NETS, ctrs: unknown[] = CTRS): Docker {
  return { listNetworks: async () => nets, listContainers: async () => ctrs } as unknown as Docker;
}

test('networks: name, driver, first IPv4 subnet and gateway; built-ins marked', () => {
  assert.deepEqual(toNetwork(NETS[0]!), { id: 'a1b2c3d4e5f6', name: 'my_bridge_network', driver: 'bridge', scope: 'local', subnet: '172.18.0.0/16', gateway: '172.18.0.1', internal: false, builtin: false });
  assert.deepEqual(toNetwork(NETS[3]!), { id: '999988887777', name: 'host', driver: 'host', scope: 'local', internal: false, builtin: true });
  const dual = toNetwork({ Name: 'v6', Driver: 'bridge', IPAM: { Config: [{ Subnet: 'fd00::/64', Gateway: 'fd00::1' }, { Subnet: '10.9.0.0/24', Gateway: '10.9.0.1' }] } });
  assert.equal(dual.subnet, '10.9.0.0/24');
});

test('containers: name without slash, an endpoint per network with IP and MAC, published ports once', () => {
  const c = toContainer(CTRS[1]!);
  assert.equal(c.name, 'container3');
  assert.deepEqual(c.endpoints.map((e) => [e.network, e.ip, e.mac]), [['my_bridge_network', '172.18.0.2', '02:42:ac:12:00:02'], ['other', '172.19.0.2', '02:42:ac:13:00:02']]);
  assert.deepEqual(c.endpoints[1]!.aliases, ['web'], 'the container\'s own short id is not an alias the learner chose');
  assert.deepEqual(c.ports, ['0.0.0.0:8080->80/tcp']);
  const stopped = toContainer(CTRS[2]!);
  assert.equal(stopped.endpoints[0]!.ip, undefined);
  assert.equal(stopped.state, 'exited');
});

test('a snapshot is sorted (built-ins first), valid on the wire, and an unchanged lab compares equal', async () => {
  const target = { hosts: () => [{ name: 'node1', ip: '10.204.0.2' }], engine: () => fakeEngine() };
  const a = await readTopology('sb1', target);
  assert.deepEqual(a.hosts[0]!.networks.map((n) => n.name), ['bridge', 'host', 'none', 'my_bridge_network']);
  assert.deepEqual(a.hosts[0]!.containers.map((c) => c.name), ['container3', 'container4', 'stopped']);
  TopologySchema.parse(a);
  assert.equal(LabServerMessageSchema.parse(a).type, 'topology');
  const b = await readTopology('sb1', target);
  assert.ok(sameTopology(a, b));
  const c = await readTopology('sb1', { ...target, engine: () => fakeEngine(NETS, CTRS.slice(1)) });
  assert.ok(!sameTopology(a, c));
});

test('a host whose engine does not answer carries a readable error, the others are still drawn', async () => {
  const target = {
    hosts: () => [{ name: 'node1' }, { name: 'node2' }],
    engine: (h: string) => (h === 'node2' ? ({ listNetworks: async () => { throw new Error('connect ENOENT'); }, listContainers: async () => [] } as unknown as Docker) : fakeEngine()),
  };
  const t = await readTopology('sb1', target);
  assert.equal(t.hosts[0]!.networks.length, 4);
  assert.match(t.hosts[1]!.error ?? '', /Docker on node2 is not answering yet/);
});

const ev = (type: string, action: string): SandboxEvent => ({ sandboxId: 's', host: 'node1', type, action, actor: { id: 'x', attributes: {} }, time: 0 });

test('events: network and container lifecycle redraw; execs (our own checks) do not', () => {
  for (const [t, a] of [['network', 'create'], ['network', 'connect'], ['network', 'disconnect'], ['network', 'destroy'], ['container', 'start'], ['container', 'destroy'], ['container', 'rename'], ['container', 'die']]) {
    assert.ok(changesTopology(ev(t!, a!)), `${t} ${a}`);
  }
  for (const [t, a] of [['container', 'exec_create: ping -c1 x'], ['container', 'exec_start: sh'], ['container', 'exec_die'], ['container', 'attach'], ['container', 'resize'], ['image', 'pull'], ['volume', 'mount']]) {
    assert.ok(!changesTopology(ev(t!, a!)), `${t} ${a}`);
  }
});

test('feed: first snapshot on subscribe, one re-read per burst of events, pushes only changes', async () => {
  let ctrs = CTRS.slice(0, 1);
  let reads = 0;
  let emit: ((e: SandboxEvent) => void) | undefined;
  const feed = new TopologyFeed({
    sandboxId: 'sb1', debounceMs: 20,
    target: { hosts: () => [{ name: 'node1' }], engine: () => { reads++; return fakeEngine(NETS, ctrs); } },
    events: (signal, onEvent) => { emit = onEvent; return new Promise((r) => signal.addEventListener('abort', () => r())); },
  });
  const got: number[] = [];
  let wake: (() => void) | undefined;
  feed.subscribe((t) => { got.push(t.hosts[0]!.containers.length); wake?.(); });
  const next = () => new Promise<void>((r) => { wake = r; });
  await next();
  assert.deepEqual(got, [1]);
  const before = reads;
  ctrs = CTRS.slice(0, 2);
  const arrived = next();
  emit!(ev('container', 'create')); emit!(ev('network', 'connect')); emit!(ev('container', 'start'));
  emit!(ev('container', 'exec_start: ping'));
  await arrived;
  assert.deepEqual(got, [1, 2]);
  assert.equal(reads - before, 1, 'three events within the debounce: one read');
  // A late subscriber gets the last snapshot at once.
  const late: number[] = [];
  const off = feed.subscribe((t) => late.push(t.hosts[0]!.containers.length));
  assert.deepEqual(late, [2]);
  off();
  // Nothing changed: an event re-reads but pushes nothing.
  await feed.refresh();
  assert.deepEqual(got, [1, 2]);
  feed.close();
  assert.ok(feed.closed);
});
