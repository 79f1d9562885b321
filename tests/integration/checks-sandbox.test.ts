// The check kinds that need real lab hosts: published ports answering on the host, host network,
// swarm membership and an overlay spanning two hosts. Runs in one fresh two-host sandbox.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { CheckSchema, type CheckInput } from '../../lessons/checks.ts';
import { evaluate } from '../../lab-runner/checks/evaluate.ts';
import { sandboxTarget, type CheckTarget } from '../../lab-runner/checks/target.ts';
import { loadConfig } from '../../lab-runner/config.ts';
import { LocalDockerProvider } from '../../lab-runner/provider/local.ts';

const hostImage = (() => { try { execFileSync('docker', ['image', 'inspect', 'dnl/host:latest'], { stdio: 'ignore' }); return true; } catch { return false; } })();
const skip = hostImage ? false : 'the sandbox host image dnl/host:latest is not built (npm run images)';

describe('checks inside a real two-host sandbox', { skip, timeout: 300_000 }, () => {
  const provider = new LocalDockerProvider({ config: loadConfig(process.env, { instance: `test-ck-${randomBytes(2).toString('hex')}` }) });
  let id = '';
  let target: CheckTarget;
  const sh = async (host: string, script: string): Promise<string> => {
    const r = await provider.exec(id, host, script, { timeoutMs: 60_000 });
    assert.equal(r.exitCode, 0, `${host}$ ${script}\n${r.stdout}${r.stderr}`);
    return r.stdout.trim();
  };
  const expectCheck = async (input: CheckInput, passed: boolean, reason?: RegExp): Promise<void> => {
    const r = await evaluate(CheckSchema.parse(input), target);
    assert.equal(r.passed, passed, `expected ${passed ? 'pass' : 'fail'}: ${r.reason}`);
    if (reason) assert.match(r.reason, reason);
  };

  before(async () => {
    const sb = await provider.create({ hosts: 2 });
    id = sb.id;
    target = sandboxTarget(provider, id, sb.hosts.map((h) => h.name));
  });
  after(async () => { if (id) await provider.destroy(id); });

  test('portPublished: mapping and an answer on the host; wrong port and silent port fail', async () => {
    await sh('node1', 'docker run -d --name web -p 8080:80 nginx && docker run -d --name quiet -p 8081:81 nginx');
    await expectCheck({ kind: 'portPublished', container: 'web', hostPort: 8080, containerPort: 80 }, true, /answers at http:\/\/127\.0\.0\.1:8080\//);
    await expectCheck({ kind: 'portPublished', container: 'web', hostPort: 9090 }, false, /does not publish host port 9090\/tcp \(it publishes 8080->80\/tcp\)/);
    await expectCheck({ kind: 'portPublished', container: 'web', hostPort: 8080, containerPort: 81 }, false, /goes to web's port 80\/tcp, not 81\/tcp/);
    await expectCheck({ kind: 'portPublished', container: 'quiet', hostPort: 8081 }, false, /nothing answers at http:\/\/127\.0\.0\.1:8081\//);
    await expectCheck({ kind: 'portPublished', container: 'quiet', hostPort: 8081, answers: false }, true);
  });

  test('sharesHostNetwork + hostAnswers: nginx on --network host answers on port 80 of the host', async () => {
    await expectCheck({ kind: 'hostAnswers', port: 80 }, false, /Nothing answers on node1's port 80/);
    await sh('node1', 'docker run -d --name container5 --network host nginx');
    await expectCheck({ kind: 'sharesHostNetwork', container: 'container5' }, true);
    await expectCheck({ kind: 'sharesHostNetwork', container: 'web' }, false, /own network namespace/);
    // nginx needs a moment to bind after `docker run` returns: the check is re-run as events arrive.
    let r = await evaluate(CheckSchema.parse({ kind: 'hostAnswers', port: 80 }), target);
    for (let i = 0; i < 20 && !r.passed; i++) r = await evaluate(CheckSchema.parse({ kind: 'hostAnswers', port: 80 }), target);
    assert.ok(r.passed, r.reason);
  });

  test('swarmJoined and overlaySpans across node1 and node2', async () => {
    await expectCheck({ kind: 'swarmJoined', host: 'node2' }, false, /node2 is not part of a swarm/);
    const ip1 = (await provider.inspect(id))!.hosts[0]!.ip;
    await sh('node1', `docker swarm init --advertise-addr ${ip1} >/dev/null`);
    const token = await sh('node1', 'docker swarm join-token -q worker');
    await sh('node2', `docker swarm join --token ${token} ${ip1}:2377`);
    await expectCheck({ kind: 'swarmJoined', host: 'node1', role: 'manager' }, true);
    await expectCheck({ kind: 'swarmJoined', host: 'node2', role: 'worker' }, true);
    await expectCheck({ kind: 'swarmJoined', host: 'node2', role: 'manager' }, false, /as a worker, not a manager/);
    await sh('node1', 'docker network create -d overlay --attachable my_overlay >/dev/null && docker run -d --name o1 --network my_overlay busybox sleep 600');
    await expectCheck({ kind: 'overlaySpans', network: 'my_overlay', hosts: ['node1', 'node2'] }, false, /no running container on node2/);
    await sh('node2', 'docker run -d --name o2 --network my_overlay busybox sleep 600');
    await expectCheck({ kind: 'overlaySpans', network: 'my_overlay', hosts: ['node1', 'node2'] }, true);
    await expectCheck({ kind: 'reaches', host: 'node2', from: 'o2', to: 'o1' }, true);
  });
});
