import test from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../lab-runner/config.ts';
import { Router, sendJson } from '../../lab-runner/api/http.ts';
import { registerSandboxRoutes } from '../../lab-runner/api/sandboxes.ts';
import { SandboxManager } from '../../lab-runner/sandbox/manager.ts';
import { FakeProvider } from '../../lab-runner/sandbox/fake-provider.ts';

const secret = 'unit-test-secret-0123456789';

async function serve(t: test.TestContext) {
  const config = loadConfig({} as NodeJS.ProcessEnv, { dataDir: '/tmp/dnl-unit', poolSize: 0 });
  const manager = new SandboxManager({ provider: new FakeProvider(), config, log: () => undefined });
  await manager.start();
  const router = new Router();
  registerSandboxRoutes(router, { secret, manager });
  const server = http.createServer((req, res) => {
    void router.handle(req, res, new URL(req.url ?? '/', 'http://x')).then((ok) => { if (!ok) sendJson(res, 404, {}); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(async () => { await manager.close(); server.close(); });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const call = async (method: string, path: string, cookie?: string, body?: unknown) => {
    const res = await fetch(base + path, { method, headers: { ...(cookie ? { cookie } : {}), 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, json: await res.json() as Record<string, unknown>, setCookie: res.headers.get('set-cookie') };
  };
  return { call, manager };
}

test('a first request mints a signed HttpOnly learner cookie; claims are per learner', async (t) => {
  const { call } = await serve(t);
  const first = await call('POST', '/runner/api/sandboxes', undefined, { hosts: 1, lesson: 'bridge-101', wait: true });
  assert.equal(first.status, 200);
  assert.equal(first.json.status, 'ready');
  assert.match(first.setCookie ?? '', /^dnl_learner=l_[^;]+\.[^;]+; Path=\/; HttpOnly; SameSite=Lax/);
  const alice = first.setCookie!.split(';')[0]!;
  const cur = await call('GET', '/runner/api/sandboxes/current', alice);
  assert.equal(cur.setCookie, null, 'a valid cookie is kept');
  const list = cur.json.sandboxes as Array<{ id: string; expiresAt: number; idleExpiresAt: number }>;
  assert.equal(list.length, 1);
  assert.equal(list[0]!.id, first.json.id);
  assert.ok(list[0]!.idleExpiresAt <= list[0]!.expiresAt);

  // Bob (a new cookie) sees nothing of Alice's, and her id is a 404 for him on every route.
  const bobFirst = await call('GET', '/runner/api/sandboxes/current');
  const bob = bobFirst.setCookie!.split(';')[0]!;
  assert.deepEqual(bobFirst.json.sandboxes, []);
  for (const [m, p] of [['GET', ''], ['POST', '/reset'], ['POST', '/extend'], ['DELETE', '']] as const) {
    const r = await call(m, `/runner/api/sandboxes/${String(first.json.id)}${p}`, bob, m === 'POST' ? {} : undefined);
    assert.equal(r.status, 404, `${m} ${p}`);
    assert.equal(r.json.code, 'not_found');
  }
  // A forged cookie value is not Alice.
  const forged = await call('GET', '/runner/api/sandboxes/current', `dnl_learner=${alice.split('=')[1]!.split('.')[0]}.AAAA`);
  assert.deepEqual(forged.json.sandboxes, []);

  const ext = await call('POST', `/runner/api/sandboxes/${String(first.json.id)}/extend`, alice, {});
  assert.equal(ext.status, 200);
  const del = await call('DELETE', `/runner/api/sandboxes/${String(first.json.id)}`, alice);
  assert.equal(del.status, 200);
  assert.deepEqual((await call('GET', '/runner/api/sandboxes/current', alice)).json.sandboxes, []);
});

test('bad bodies get a clear 400, never a crash', async (t) => {
  const { call } = await serve(t);
  const r1 = await call('POST', '/runner/api/sandboxes', undefined, { hosts: 9 });
  assert.equal(r1.status, 400);
  assert.match(String(r1.json.error), /hosts/);
  const r2 = await call('POST', '/runner/api/sandboxes', undefined, { hosts: 1, extra: true });
  assert.equal(r2.status, 400);
  const r3 = await call('POST', '/runner/api/sandboxes', undefined, { hosts: 1, lesson: '../etc' });
  assert.equal(r3.status, 400);
});
