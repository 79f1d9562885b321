// Two learners through the real runner and its API: neither can reach the other's hosts (the
// addresses are lab-internal, so probing them is allowed) and the API answers 404 for the other's id.
import test from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRunner } from '../../lab-runner/runner.ts';
import { testProvider, cleanup, needHostImage, testConfig } from './sandbox-helpers.ts';

test('a second learner cannot see or reach the first learner\'s hosts', { timeout: 240_000 }, async (t) => {
  if (!(await needHostImage(t))) return;
  const cfg = testConfig();
  t.after(() => cleanup(cfg));
  const runner = await createRunner({ config: cfg, provider: testProvider(cfg) });
  const server = http.createServer((req, res) => { void runner.handleHttp(req, res); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(async () => { server.close(); await runner.close(); });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const api = async (method: string, path: string, cookie?: string, body?: unknown) => {
    const res = await fetch(base + path, { method, headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, json: await res.json() as { id?: string; status?: string; hosts?: Array<{ name: string; ip: string }>; code?: string; sandboxes?: unknown[] }, cookie: res.headers.get('set-cookie')?.split(';')[0] };
  };

  const [a, b] = await Promise.all([
    api('POST', '/runner/api/sandboxes', undefined, { hosts: 1, wait: true }),
    api('POST', '/runner/api/sandboxes', undefined, { hosts: 1, wait: true }),
  ]);
  assert.equal(a.status, 200, JSON.stringify(a.json));
  assert.equal(b.status, 200, JSON.stringify(b.json));
  assert.equal(a.json.status, 'ready');
  assert.notEqual(a.cookie, b.cookie);
  const aIp = a.json.hosts![0]!.ip;
  const bIp = b.json.hosts![0]!.ip;
  assert.match(aIp, /^10\.2\d\d\./);

  // The API never shows or touches another learner's sandbox.
  assert.equal((await api('GET', `/runner/api/sandboxes/${a.json.id}`, b.cookie)).status, 404);
  assert.equal((await api('DELETE', `/runner/api/sandboxes/${a.json.id}`, b.cookie)).status, 404);
  assert.equal((await api('POST', `/runner/api/sandboxes/${a.json.id}/reset`, b.cookie, {})).status, 404);
  const bList = await api('GET', '/runner/api/sandboxes/current', b.cookie);
  assert.deepEqual((bList.json.sandboxes as Array<{ id: string }>).map((s) => s.id), [b.json.id]);

  // Networks: B's host cannot reach A's host, nor A's inner containers' gateway.
  const own = await runner.provider.exec(b.json.id!, 'node1', `ping -c1 -W1 ${bIp}`);
  assert.equal(own.exitCode, 0, 'control: a host reaches its own address');
  const cross = await runner.provider.exec(b.json.id!, 'node1', `ping -c2 -W1 ${aIp}`);
  assert.notEqual(cross.exitCode, 0, `B must not reach A at ${aIp}: ${cross.stdout}`);
  const back = await runner.provider.exec(a.json.id!, 'node1', `ping -c2 -W1 ${bIp}`);
  assert.notEqual(back.exitCode, 0, `A must not reach B at ${bIp}`);
  const name = await runner.provider.exec(b.json.id!, 'node1', 'getent hosts node1 | grep -v 127.0 ; ping -c1 -W1 node2');
  assert.doesNotMatch(name.stdout, new RegExp(aIp.replace(/\./g, '\\.')), 'A\'s host name does not resolve in B\'s lab');
});
