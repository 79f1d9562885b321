// Check reasons in both course languages: every reason of the table names its objects in English
// and in Korean, the evaluator and the watcher carry the Korean beside the English, a lesson's
// `not` override may be given per language, and the page shows the learner's language.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type Docker from 'dockerode';
import { CheckSchema, type CheckInput } from '../../lessons/checks.ts';
import { evaluate } from '../../lab-runner/checks/evaluate.ts';
import { say, type Reason } from '../../lab-runner/checks/reasons.ts';
import type { CheckTarget } from '../../lab-runner/checks/target.ts';
import { LessonWatcher } from '../../lab-runner/live/watcher.ts';
import { reasonIn } from '../../app/lib/lab-status.ts';

const HANGUL = /[\uac00-\ud7a3]/;

/** Sample parameters for every reason; each string value must show up in both languages. */
const samples: { [K in keyof typeof say]: Parameters<(typeof say)[K]>[0] } = {
  unknownHost: { host: 'node3', hosts: 'node1, node2' },
  engineDown: { host: 'node1' },
  cannotRun: {},
  unavailable: { why: { en: 'the kernel has no ipvlan support', ko: '커널에 ipvlan 지원이 없습니다' } },
  noContainer: { name: 'container9', host: 'node2' },
  notRunning: { name: 'old', status: 'exited' },
  running: { name: 'container3' },
  notAttached: { name: 'container4', network: 'my_bridge_network', on: ['bridge'] },
  wrongIp: { name: 'web', network: 'front_net', have: '172.20.0.9', want: '172.20.0.10' },
  noAlias: { name: 'web', network: 'front_net', alias: 'search' },
  runningOn: { name: 'container3', network: 'my_bridge_network', ip: '172.18.0.2' },
  noIpOn: { name: 'outsider', network: 'other_bridge_network' },
  sharesHost: { name: 'container5' },
  ownNamespace: { name: 'container5', mode: 'bridge' },
  onlyLoopback: { name: 'isolated' },
  notOnlyLoopback: { name: 'isolated', others: ['eth0'], mode: 'bridge' },
  noNetwork: { name: 'my_bridge_network', host: 'node1' },
  wrongDriver: { name: 'my_bridge_network', have: 'bridge', want: 'macvlan' },
  ipamMismatch: { name: 'custom_net', flag: '--subnet', have: ['172.30.0.0/16'], want: '172.28.0.0/16' },
  optionMissing: { name: 'macvlan_network', key: 'parent', value: 'eth0' },
  optionWrong: { name: 'macvlan_network', key: 'parent', have: 'eth1', want: 'eth0' },
  notAttachable: { name: 'my_overlay' },
  attachable: { name: 'my_overlay' },
  notInternal: { name: 'back_net' },
  internal: { name: 'front_net' },
  networkOk: { name: 'my_bridge_network', driver: 'bridge', subnet: '172.18.0.0/16' },
  tooFewOnNetwork: { network: 'macvlan_network', count: 1, min: 2 },
  sharedMac: { names: ['a1', 'a2'], mac: '02:42:ac:11:00:02', network: 'ipvlan_l2' },
  macsOk: { network: 'macvlan_network', macs: ['container6 02:42:c0:a8:01:02'] },
  overlayDriver: { network: 'my_overlay', host: 'node2', driver: 'bridge' },
  overlayMissing: { network: 'my_overlay', hosts: ['node2'] },
  overlayOk: { network: 'my_overlay', hosts: ['node1', 'node2'] },
  noTool: { from: 'slim', how: { via: 'tcp', port: 5432 }, tool: 'nc' },
  reaches: { from: 'container3', target: { to: 'container4' }, how: { via: 'ping' } },
  unresolved: { from: 'default1', target: { to: 'default2' } },
  noAnswerByName: { from: 'container3', target: { to: 'container4' }, how: { via: 'http', port: 8080 } },
  cannotReach: { from: 'container3', target: { container: 'outsider', ip: '172.19.0.2' }, how: { via: 'ping' }, timedOut: true },
  stillReaches: { from: 'container4', target: { container: 'outsider', ip: '172.19.0.2' }, how: { via: 'ping' } },
  noRoute: { from: 'hostview', target: { container: 'container6', ip: '192.168.1.2' } },
  isolated: { from: 'container4', target: { container: 'outsider', ip: '172.19.0.2' }, how: { via: 'ping' } },
  noDnsTool: { from: 'slim' },
  noResolveTarget: { container: 'api', name: 'backend' },
  noAddressYet: { container: 'api', network: 'back_net' },
  notResolves: { name: 'default2', from: 'default1' },
  stillResolves: { name: 'db', from: 'web', ips: ['172.21.0.3'] },
  cannotResolve: { from: 'default1', name: 'default2', server: '127.0.0.11' },
  resolvesWrong: { name: 'search', from: 'client', ips: ['172.22.0.4'], want: ['172.22.0.5'] },
  resolves: { name: 'search', from: 'client', ips: ['172.22.0.4'] },
  notPublished: { name: 'web', wanted: { hostPort: 8080, proto: 'tcp' }, shown: '9090->80/tcp' },
  wrongHostIp: { name: 'web', wanted: { hostPort: 8080, proto: 'tcp' }, have: ['0.0.0.0'], hostIp: '127.0.0.1', flag: '127.0.0.1:8080:80' },
  wrongContainerPort: { hostPort: 8080, name: 'web', have: '81/tcp', want: '80/tcp' },
  published: { name: 'web', hostPort: 8080, cp: '80/tcp' },
  publishedAnswers: { name: 'web', hostPort: 8080, cp: '80/tcp', url: 'http://127.0.0.1:8080/' },
  publishedSilent: { name: 'web', hostPort: 8080, cp: '80/tcp', url: 'http://127.0.0.1:8080/' },
  hostAnswers: { host: 'node1', port: 80 },
  hostSilent: { host: 'node1', port: 80, url: 'http://127.0.0.1:80/' },
  notInSwarm: { host: 'node2', state: 'inactive', role: 'worker' },
  wrongRole: { host: 'node2', role: 'manager', want: 'worker' },
  inSwarm: { host: 'node1', role: 'manager' },
  typeAnswer: {},
  answerRight: { given: '172.18.0.2' },
  answerWrong: { given: '172.18.0.9', what: { of: 'containerIp', container: 'container3', network: 'my_bridge_network' } },
  nothingToLookUp: { container: 'container3' },
  noValueYet: { container: 'container6', mac: true, network: 'macvlan_network' },
  noIpamValue: { network: 'my_bridge_network', subnet: false },
  noneHolds: { reasons: [{ en: 'There is no container named x.', ko: '이름이 x인 컨테이너가 없습니다.' }, { en: 'There is no container named y.', ko: '이름이 y인 컨테이너가 없습니다.' }] },
  shouldNotHold: { inner: { en: 'web is running on back_net.', ko: 'web 컨테이너가 back_net 네트워크에서 실행 중입니다.' } },
};

/** Every string (and number) a parameter object holds, nested. */
function values(p: unknown): string[] {
  if (typeof p === 'string') return [p];
  if (typeof p === 'number') return [String(p)];
  if (Array.isArray(p)) return p.flatMap(values);
  if (p && typeof p === 'object') {
    const o = p as Record<string, unknown>;
    if (typeof o.en === 'string' && typeof o.ko === 'string') return []; // a nested Reason: checked by language below
    return Object.entries(o).filter(([k]) => k !== 'via' && k !== 'of' && k !== 'proto').flatMap(([, v]) => values(v));
  }
  return [];
}

test('every reason exists in English and Korean and names its objects in both', () => {
  for (const [code, p] of Object.entries(samples)) {
    const r = (say[code as keyof typeof say] as (x: unknown) => Reason)(p);
    assert.ok(r.en.length > 10 && r.ko.length > 5, `${code}: empty text`);
    assert.doesNotMatch(r.en, HANGUL, `${code}: Korean in the English text`);
    assert.match(r.ko, HANGUL, `${code}: the Korean text has no Korean`);
    assert.doesNotMatch(r.en + r.ko, /undefined|\[object/, `${code}: a parameter was not rendered`);
    // Swarm roles are words, translated (manager → 매니저), not names; they are checked below.
    const names = /Swarm|Role/.test(code) ? values({ ...(p as object), role: undefined, want: undefined }) : values(p);
    for (const v of names) {
      assert.ok(r.en.includes(v), `${code}: English does not name ${v}: ${r.en}`);
      assert.ok(r.ko.includes(v), `${code}: Korean does not name ${v}: ${r.ko}`);
    }
  }
  // Nested reasons are rendered language by language.
  assert.equal(say.shouldNotHold(samples.shouldNotHold).ko, '이 조건은 성립하면 안 되는데 성립합니다: web 컨테이너가 back_net 네트워크에서 실행 중입니다.');
  assert.match(say.unavailable(samples.unavailable).ko, /커널에 ipvlan 지원이 없습니다/);
  assert.equal(say.wrongRole(samples.wrongRole).ko, 'node2 호스트는 스웜의 매니저입니다. 필요한 역할: 워커.');
});

function fakeTarget(): CheckTarget {
  const err404 = (): Error => Object.assign(new Error('(HTTP code 404) no such thing'), { statusCode: 404 });
  const ctrs: Record<string, Record<string, { IPAddress: string }>> = {
    container3: { my_bridge_network: { IPAddress: '172.18.0.2' } },
    container4: { bridge: { IPAddress: '172.17.0.2' } },
  };
  const engine = {
    async listNetworks() { return [{ Name: 'my_bridge_network', Id: 'n1' }]; },
    getNetwork() { return { async inspect() { return { Name: 'my_bridge_network', Driver: 'bridge', IPAM: { Config: [{ Subnet: '172.18.0.0/16' }] }, Options: {}, Containers: {} }; } }; },
    getContainer(name: string) {
      return {
        async inspect() {
          const nets = ctrs[name];
          if (!nets) throw err404();
          return { Name: `/${name}`, State: { Running: true, Status: 'running' }, HostConfig: { NetworkMode: Object.keys(nets)[0] }, NetworkSettings: { Networks: nets, Ports: {} } };
        },
      };
    },
  };
  return { engine: () => engine as unknown as Docker, exec: async () => ({ exitCode: 1, stdout: '', stderr: '' }), hosts: () => ['node1'] };
}
const run = (c: CheckInput) => evaluate(CheckSchema.parse(c), fakeTarget());

test('the evaluator returns each reason in both languages, the English unchanged', async () => {
  const r = await run({ kind: 'containerRunning', name: 'container4', network: 'my_bridge_network' });
  assert.equal(r.reason, 'container4 is not attached to my_bridge_network (it is on bridge).');
  assert.equal(r.reasonKo, 'container4 컨테이너가 my_bridge_network 네트워크에 연결되어 있지 않습니다(현재 연결된 네트워크: bridge).');
  const all = await run({ kind: 'all', checks: [{ kind: 'networkExists', name: 'my_bridge_network' }, { kind: 'containerRunning', name: 'container3', network: 'my_bridge_network' }] });
  assert.equal(all.passed, true);
  assert.equal(all.reasonKo, 'my_bridge_network 네트워크가 있습니다(드라이버 bridge, 서브넷 172.18.0.0/16). container3 컨테이너가 my_bridge_network 네트워크에서 실행 중입니다(주소 172.18.0.2).');
  const none = await run({ kind: 'any', checks: [{ kind: 'containerRunning', name: 'x' }, { kind: 'containerRunning', name: 'y' }] });
  assert.equal(none.reasonKo, '아직 어느 것도 충족되지 않았습니다: 이름이 x인 컨테이너가 없습니다. / 이름이 y인 컨테이너가 없습니다.');
});

test("a lesson's `not` override: { en, ko } per language, a plain string in both", async () => {
  const inner = { kind: 'containerRunning', name: 'container3', network: 'my_bridge_network' } as const;
  const both = await run({ kind: 'not', check: inner, reason: { en: 'container3 must leave my_bridge_network.', ko: 'container3 컨테이너는 my_bridge_network 네트워크를 떠나야 합니다.' } });
  assert.deepEqual([both.passed, both.reason, both.reasonKo], [false, 'container3 must leave my_bridge_network.', 'container3 컨테이너는 my_bridge_network 네트워크를 떠나야 합니다.']);
  const plain = await run({ kind: 'not', check: inner, reason: 'container3 must leave my_bridge_network.' });
  assert.deepEqual([plain.reason, plain.reasonKo], ['container3 must leave my_bridge_network.', 'container3 must leave my_bridge_network.']);
  const derived = await run({ kind: 'not', check: inner });
  assert.match(derived.reasonKo!, /^이 조건은 성립하면 안 되는데 성립합니다: container3 컨테이너가/);
  assert.equal(CheckSchema.safeParse({ kind: 'not', check: inner, reason: { en: 'only English' } }).success, false, 'an { en, ko } override needs both languages');
});

test('the watcher pushes the Korean reason; the page picks the learner’s language', async () => {
  const w = new LessonWatcher({ sandboxId: 's', target: fakeTarget(), log: () => undefined, lesson: { slug: '05-bridge', exercises: [
    { id: 'c4', check: CheckSchema.parse({ kind: 'containerRunning', name: 'container4', network: 'my_bridge_network' }) },
  ] } });
  const [s] = await w.checkNow();
  assert.equal(s!.reasonKo, 'container4 컨테이너가 my_bridge_network 네트워크에 연결되어 있지 않습니다(현재 연결된 네트워크: bridge).');
  const failed = { state: 'failed' as const, reason: s!.reason, reasonKo: s!.reasonKo };
  assert.equal(reasonIn(failed, 'ko'), s!.reasonKo);
  assert.equal(reasonIn(failed, 'en'), s!.reason);
  assert.equal(reasonIn({ state: 'failed', reason: 'English only' }, 'ko'), 'English only', 'an old runner without reasonKo still shows its reason');
  w.close();

  const off = new LessonWatcher({ sandboxId: 's', target: fakeTarget(), log: () => undefined, lesson: { slug: '10-ipvlan', unavailable: { en: 'the kernel has no ipvlan support (CONFIG_IPVLAN)', ko: '커널에 ipvlan 지원이 없습니다(CONFIG_IPVLAN)' }, exercises: [
    { id: 'x', check: CheckSchema.parse({ kind: 'networkExists', name: 'n' }) },
  ] } });
  const [u] = await off.checkNow();
  assert.equal(u!.reason, 'Unavailable on this host: the kernel has no ipvlan support (CONFIG_IPVLAN).');
  assert.equal(u!.reasonKo, '이 호스트에서는 사용할 수 없습니다: 커널에 ipvlan 지원이 없습니다(CONFIG_IPVLAN).');
  off.close();
});
