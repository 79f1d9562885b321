// Kill the runner mid-lab and start it again: the learner's sandbox is adopted with its owner
// (even a host that was stopped, as after a Docker daemon restart), orphans are removed, and a
// sandbox that expired meanwhile is collected. Nothing is leaked.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRunner } from '../../lab-runner/runner.ts';
import { L } from '../../lab-runner/provider/labels.ts';
import { testProvider, cleanup, countResources, docker, needHostImage, testConfig } from './sandbox-helpers.ts';

test('runner restart adopts, sweeps orphans and collects expired sandboxes', { timeout: 300_000 }, async (t) => {
  if (!(await needHostImage(t))) return;
  const cfg = testConfig({ poolSize: 1 });
  t.after(() => cleanup(cfg));

  const r1 = await createRunner({ config: cfg, provider: testProvider(cfg) });
  await r1.manager.refillPool();
  const pooled = r1.manager.list().find((s) => s.state === 'pool');
  assert.equal(pooled?.status, 'ready', 'the warm pool filled');
  const t0 = Date.now();
  const mine = await r1.manager.claim('alice', { hosts: 1, lesson: 'bridge' });
  assert.ok(Date.now() - t0 < 1000, `claim from the pool took ${Date.now() - t0} ms`);
  assert.equal(mine.id, pooled!.id, 'the claim took the warm sandbox');
  const mark = await r1.provider.exec(mine.id, 'node1', 'docker network create alice-net >/dev/null && echo ok');
  assert.equal(mark.stdout.trim(), 'ok');

  await r1.manager.refillPool();
  await r1.close();

  // While no runner runs: a lab whose TTL ran out, and the debris of a crash mid-create.
  const expired = await r1.provider.create({ hosts: 1, labels: { [L.owner]: 'bob', [L.state]: 'claimed', [L.expires]: String(Date.now() - 1000) } });
  const orphanLabels = { [L.instance]: cfg.instance, [L.sandbox]: 'sorphan', [L.role]: 'network', [L.topology]: '1' };
  await docker.createNetwork({ Name: `dnl-${cfg.instance}-sorphan`, Internal: true, Labels: orphanLabels });
  await docker.createVolume({ Name: `dnl-${cfg.instance}-sorphan-node1-docker`, Labels: { ...orphanLabels, [L.role]: 'docker-volume' } });

  // As after a Docker daemon restart that did not bring the host back.
  await docker.getContainer(r1.manager.info(mine.id)!.hosts[0]!.id).stop({ t: 2 });

  const r2 = await createRunner({ config: cfg, provider: testProvider(cfg) });
  t.after(() => r2.close());
  const adopted = await r2.manager.whenReady(mine.id);
  assert.equal(adopted.status, 'ready');
  assert.equal(r2.manager.ownerOf(mine.id), 'alice');
  assert.equal(adopted.lesson, 'bridge');
  assert.equal(adopted.expiresAt, mine.expiresAt);
  assert.deepEqual(r2.manager.forLearner('alice').map((s) => s.id), [mine.id]);
  const still = await r2.provider.exec(mine.id, 'node1', 'docker network ls --format {{.Name}}');
  assert.match(still.stdout, /^alice-net$/m, 'the learner\'s work survived');

  assert.equal(r2.manager.get(expired.id), undefined, 'the expired sandbox is not adopted');
  assert.equal(await r2.provider.inspect(expired.id), undefined, 'and it is gone from the engine');
  const nets = await docker.listNetworks({ filters: { label: [`${L.sandbox}=sorphan`] } });
  assert.equal(nets.length, 0, 'orphan network removed');
  const vols = await docker.listVolumes({ filters: { label: [`${L.sandbox}=sorphan`] } });
  assert.equal((vols.Volumes ?? []).length, 0, 'orphan volume removed');

  // Exactly alice's sandbox + one warm sandbox remain: 2 hosts, 2 networks, 2 docker volumes + alice's record.
  await r2.manager.refillPool();
  const left = await countResources(cfg.instance);
  assert.deepEqual(left, { containers: 2, networks: 2, volumes: 3 });
});
