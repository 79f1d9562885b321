import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { Router, readJson, HttpError } from '../../lab-runner/api/http.ts';

async function withServer(router: Router, fn: (base: string) => Promise<void>): Promise<void> {
  const server = http.createServer((req, res) => {
    void router.handle(req, res, new URL(req.url ?? '/', 'http://x')).then((hit) => { if (!hit) { res.statusCode = 404; res.end(); } });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try { await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`); } finally { server.close(); }
}

test('router validates bodies and turns every failure into a JSON error', async () => {
  const router = new Router()
    .on('POST', '/things/:id', async ({ req, params }) => {
      const body = await readJson(req, z.object({ n: z.number().int().min(1) }));
      return { id: params.id, n: body.n };
    })
    .on('GET', '/boom', () => { throw new Error('secret internals'); })
    .on('GET', '/teapot', () => { throw new HttpError(418, 'I am a teapot.', 'teapot'); });
  await withServer(router, async (base) => {
    const ok = await fetch(`${base}/things/a%20b`, { method: 'POST', body: '{"n":2}' });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { id: 'a b', n: 2 });

    const bad = await fetch(`${base}/things/1`, { method: 'POST', body: '{"n":0}' });
    assert.equal(bad.status, 400);
    assert.match((await bad.json() as { error: string }).error, /^Invalid request: n:/);

    const notJson = await fetch(`${base}/things/1`, { method: 'POST', body: '{n:' });
    assert.equal(notJson.status, 400);
    assert.equal((await notJson.json() as { code: string }).code, 'bad_json');

    const big = await fetch(`${base}/things/1`, { method: 'POST', body: JSON.stringify({ n: 1, pad: 'x'.repeat(70_000) }) });
    assert.equal(big.status, 413);

    const boom = await fetch(`${base}/boom`);
    assert.equal(boom.status, 500);
    const text = await boom.text();
    assert.doesNotMatch(text, /secret internals/);

    assert.equal((await fetch(`${base}/teapot`)).status, 418);
    assert.equal((await fetch(`${base}/things/1`)).status, 405);
    assert.equal((await fetch(`${base}/nothing`)).status, 404);
  });
});

test('requests the HTTP parser refuses (a 20 KB address, garbage) still get a JSON sentence', async () => {
  const http = await import('node:http');
  const net = await import('node:net');
  const { answerClientErrors } = await import('../../lab-runner/api/http.ts');
  const server = http.createServer((_req, res) => { res.end('ok'); });
  answerClientErrors(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const raw = (text: string) => new Promise<string>((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(text));
    let out = '';
    s.on('data', (b) => { out += b.toString(); });
    s.on('end', () => resolve(out));
    s.on('error', reject);
  });
  try {
    const big = await raw(`GET /runner/api/workshops/${'x'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    assert.match(big, /^HTTP\/1\.1 431 /);
    const body = JSON.parse(big.slice(big.indexOf('\r\n\r\n') + 4)) as { error: string };
    assert.match(body.error, /too large/);
    const junk = await raw('\x00\x01 not http at all\r\n\r\n');
    assert.match(junk, /^HTTP\/1\.1 400 /);
    assert.ok((JSON.parse(junk.slice(junk.indexOf('\r\n\r\n') + 4)) as { error: string }).error.length > 8);
  } finally { server.close(); }
});
