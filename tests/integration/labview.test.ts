// Lab views against the real engine, without the web app: the runner's own HTTP/WebSocket
// handlers on a loopback server, a real one-host sandbox. Published-port detection speed, the
// proxy (owner only, no open proxy, redirects, large bodies, upgrades), and captures (bridge
// ARP/ICMP with names, DNS via 127.0.0.11, rate limit under `ping -f`, no tcpdump left behind).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { createRunner, type Runner } from '../../lab-runner/runner.ts';
import { cleanup, docker, testConfig, testProvider } from './sandbox-helpers.ts';
import { HOST_IMAGE } from '../../lab-runner/provider/local.ts';
import type { LabViewServerMessage, PacketRow } from '../../protocol/labview.ts';

const cfg = testConfig({ labPool: '10.202.0.0/16' } as never);
let runner: Runner;
let server: http.Server;
let base = '';
let cookieA = '';
let cookieB = '';
let sandbox = '';
let hasImage = true;

async function claim(cookie: string): Promise<{ cookie: string; id: string }> {
  const r = await fetch(`${base}/runner/api/sandboxes`, { method: 'POST', headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) }, body: JSON.stringify({ hosts: 1, wait: true }) });
  assert.equal(r.status, 200, await r.clone().text());
  const set = r.headers.get('set-cookie');
  const c = set ? set.split(';')[0]! : cookie;
  return { cookie: c, id: ((await r.json()) as { id: string }).id };
}

const sh = async (script: string) => {
  const r = await runner.provider.exec(sandbox, 'node1', script, { timeoutMs: 60_000 });
  assert.equal(r.exitCode, 0, `${script}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
};

class View {
  readonly messages: LabViewServerMessage[] = [];
  private waiters: Array<() => void> = [];
  constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => { this.messages.push(JSON.parse(String(d)) as LabViewServerMessage); for (const w of this.waiters.splice(0)) w(); });
  }
  static open(cookie: string, id = sandbox): Promise<View> {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/runner/ws/labview?sandbox=${id}`, { headers: { cookie } });
    const v = new View(ws);
    return new Promise((resolve, reject) => { ws.once('open', () => resolve(v)); ws.once('unexpected-response', (_q, res) => reject(new Error(`HTTP ${res.statusCode}`))); ws.once('error', reject); });
  }
  send(m: unknown): void { this.ws.send(JSON.stringify(m)); }
  async until<T>(pick: (all: LabViewServerMessage[]) => T | undefined, ms = 20_000, what = 'message'): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const got = pick(this.messages);
      if (got !== undefined && got !== false) return got;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.messages.slice(-5)).slice(0, 1500)}`);
      await new Promise<void>((r) => { const t = setTimeout(r, 200); this.waiters.push(() => { clearTimeout(t); r(); }); });
    }
  }
  rows(): PacketRow[] { return this.messages.flatMap((m) => (m.type === 'packets' ? m.rows : [])); }
  close(): void { this.ws.close(); }
}

before(async () => {
  try { await docker.getImage(HOST_IMAGE).inspect(); } catch { hasImage = false; return; }
  runner = await createRunner({ config: cfg, provider: testProvider(cfg), pool: {} });
  server = http.createServer((req, res) => { void runner.handleHttp(req, res).then((done) => { if (!done) { res.statusCode = 404; res.end(); } }); });
  server.on('upgrade', (req, socket, head) => { if (!runner.handleUpgrade(req, socket, head)) socket.destroy(); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const a = await claim('');
  cookieA = a.cookie; sandbox = a.id;
  // A second learner with a sandbox of their own (their cookie is valid, just not the owner's).
  const r = await fetch(`${base}/runner/api/sandboxes/current`);
  cookieB = r.headers.get('set-cookie')!.split(';')[0]!;
});

after(async () => {
  server?.closeAllConnections();
  server?.close();
  await runner?.close();
  await cleanup(cfg);
});

describe('lab views (real sandbox)', { timeout: 280_000 }, () => {
  test('a published port appears within a second and opens through the proxy; nobody else, nothing else', async (t) => {
    if (!hasImage) return t.skip(`${HOST_IMAGE} is not built`);
    const view = await View.open(cookieA);
    t.after(() => view.close());
    await view.until((m) => m.find((x) => x.type === 'ports'), 20_000, 'first ports');
    await sh('docker run -d --name web -p 8080:80 nginx >/dev/null');
    const ran = Date.now();
    const ports = await view.until((m) => m.findLast((x) => x.type === 'ports' && x.ports.some((p) => p.port === 8080)), 10_000, 'port 8080');
    const ms = Date.now() - ran;
    console.log(`# port 8080 shown ${ms} ms after docker run returned`);
    assert.ok(ms < 1500, `port detection took ${ms} ms`);
    assert.ok(ports.type === 'ports');
    const p = ports.ports.find((x) => x.port === 8080)!;
    assert.deepEqual([p.host, p.containerPort, p.container, p.url], ['node1', 80, 'web', `/lab/${sandbox}/node1/8080/`]);

    const ok = await fetch(`${base}${p.url}`, { headers: { cookie: cookieA } });
    assert.equal(ok.status, 200);
    assert.match(await ok.text(), /Welcome to nginx/);
    // No trailing slash → redirect to the prefix (relative links must resolve under it).
    const noSlash = await fetch(`${base}/lab/${sandbox}/node1/8080?x=1`, { headers: { cookie: cookieA }, redirect: 'manual' });
    assert.equal(noSlash.status, 308);
    assert.equal(noSlash.headers.get('location'), `/lab/${sandbox}/node1/8080/?x=1`);

    // Refused: no cookie, another learner, other ports, other hosts, addresses, encoded tricks.
    const refused = async (path: string, cookie?: string) => {
      const r = await fetch(`${base}${path}`, { headers: cookie ? { cookie } : {}, redirect: 'manual' });
      await r.arrayBuffer();
      return r.status;
    };
    assert.equal(await refused(p.url), 404);
    assert.equal(await refused(p.url, cookieB), 404);
    assert.equal(await refused(p.url, 'dnl_learner=l_forged.bad'), 404);
    for (const bad of [`/lab/${sandbox}/node1/9999/`, `/lab/${sandbox}/node1/2375/`, `/lab/${sandbox}/node2/8080/`, `/lab/${sandbox}/10.202.0.1/8080/`,
      `/lab/${sandbox}/127.0.0.1/8080/`, `/lab/${sandbox}/node1/80/`, `/lab/${sandbox}/node1/08080/`, `/lab/${sandbox}/node1/8080@10.0.0.1/`, `/lab/${sandbox}/node1%2f..%2f/8080/`, '/lab/sother/node1/8080/']) {
      assert.equal(await refused(bad, cookieA), 404, bad);
    }
    const body = await (await fetch(`${base}/lab/${sandbox}/node1/9999/`, { headers: { cookie: cookieA } })).text();
    assert.match(body, /Nothing is published on node1:9999/);
  });

  test('the proxy rewrites redirects, streams large bodies and passes upgrades', async (t) => {
    if (!hasImage) return t.skip(`${HOST_IMAGE} is not built`);
    const root = (await sh(`docker exec web sh -c 'for d in /var/www/html /usr/share/nginx/html; do [ -d $d ] && echo $d && break; done'`)).trim();
    assert.ok(root, 'nginx html root');
    await sh(`docker exec web sh -c 'mkdir -p ${root}/dir && echo inner > ${root}/dir/index.html && head -c 30000000 /dev/zero > ${root}/big'`);
    const prefix = `/lab/${sandbox}/node1/8080/`;
    const r = await fetch(`${base}${prefix}dir`, { headers: { cookie: cookieA }, redirect: 'manual' });
    await r.arrayBuffer();
    assert.equal(r.status, 301);
    assert.equal(new URL(r.headers.get('location')!, base).pathname, `${prefix}dir/`);
    const followed = await fetch(`${base}${prefix}dir`, { headers: { cookie: cookieA } });
    assert.equal((await followed.text()).trim(), 'inner');

    const t0 = Date.now();
    const big = await fetch(`${base}${prefix}big`, { headers: { cookie: cookieA } });
    let bytes = 0;
    const reader = big.body!.getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) bytes += r.value.length;
    console.log(`# 30 MB through the proxy in ${Date.now() - t0} ms`);
    assert.equal(bytes, 30_000_000);

    // An Upgrade request is spliced to the service as-is (nginx answers it as a plain GET).
    const { port } = new URL(base);
    const raw = await new Promise<string>((resolve, reject) => {
      const s = net.connect(Number(port), '127.0.0.1', () => s.write(`GET ${prefix} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nCookie: ${cookieA}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`));
      let got = '';
      s.on('data', (d) => { got += String(d); if (got.includes('</html>')) { s.destroy(); resolve(got); } });
      s.on('error', reject);
      setTimeout(() => { s.destroy(); resolve(got); }, 10_000);
    });
    assert.match(raw, /^HTTP\/1\.1 200 OK/);
    assert.match(raw, /Server: nginx/i);
    const refusedUp = await new Promise<string>((resolve) => {
      const s = net.connect(Number(port), '127.0.0.1', () => s.write(`GET /lab/${sandbox}/node1/9999/ HTTP/1.1\r\nHost: x\r\nCookie: ${cookieA}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`));
      let got = ''; s.on('data', (d) => { got += String(d); }); s.on('close', () => resolve(got)); s.on('error', () => resolve(got));
    });
    assert.match(refusedUp, /^HTTP\/1\.1 404/);

    // A --network host server publishes nothing, yet listens on the host's own port: a link too.
    const view = await View.open(cookieA);
    t.after(() => view.close());
    await sh('docker run -d --name hostweb --network host nginx >/dev/null');
    await view.until((m) => m.findLast((x) => x.type === 'ports' && x.ports.some((p) => p.port === 80 && p.container === 'hostweb')), 15_000, 'host-network port 80');
    const hostPage = await fetch(`${base}/lab/${sandbox}/node1/80/`, { headers: { cookie: cookieA } });
    assert.equal(hostPage.status, 200);
    await hostPage.arrayBuffer();
    await sh('docker rm -f hostweb >/dev/null');
    await view.until((m) => { const last = m.findLast((x) => x.type === 'ports'); return last?.type === 'ports' && !last.ports.some((p) => p.port === 80) ? true : undefined; }, 15_000, 'port 80 gone');
    assert.equal((await fetch(`${base}/lab/${sandbox}/node1/80/`, { headers: { cookie: cookieA } })).status, 404);
  });

  test('bridge capture: ARP and ICMP rows with container names; DNS via 127.0.0.11; a flood is rate-limited; stop leaves no tcpdump', async (t) => {
    if (!hasImage) return t.skip(`${HOST_IMAGE} is not built`);
    await sh('docker network create my_bridge_network >/dev/null && docker run -d --name container3 --network my_bridge_network busybox sleep 600 >/dev/null && docker run -d --name container4 --network my_bridge_network busybox sleep 600 >/dev/null');
    const view = await View.open(cookieA);
    t.after(() => view.close());
    // Names come from the followed state: wait until it has seen container4.
    await view.until((m) => m.find((x) => x.type === 'ports'));
    view.send({ type: 'start', host: 'node1', target: { kind: 'network', name: 'my_bridge_network' }, filter: 'arp or icmp', preset: 'bridge' });
    const running = await view.until((m) => m.find((x) => x.type === 'capture' && x.state === 'running'), 20_000, 'capture running');
    assert.ok(running.type === 'capture' && running.iface.startsWith('br-'));
    const pinged = Date.now();
    await sh('docker exec container3 ping -c 2 container4 >/dev/null');
    await view.until((m) => m.flatMap((x) => (x.type === 'packets' ? x.rows : [])).filter((r) => r.proto === 'ICMP').length >= 4 ? true : undefined, 10_000, 'ICMP rows');
    console.log(`# bridge rows within ${Date.now() - pinged} ms of the ping`);
    const rows = view.rows();
    const req = rows.find((r) => r.proto === 'ARP' && r.summary.startsWith('who-has'));
    assert.ok(req, JSON.stringify(rows));
    assert.equal(req.srcName, 'container3');
    assert.equal(req.dstName, 'container4'); // who-has asks for container4's address …
    assert.equal(req.dstMac, 'ff:ff:ff:ff:ff:ff'); // … of everybody on the bridge
    const reply = rows.find((r) => r.proto === 'ARP' && r.summary.includes('is-at'));
    assert.equal(reply?.srcName, 'container4');
    const echo = rows.find((r) => r.summary.startsWith('echo request'))!;
    assert.deepEqual([echo.srcName, echo.dstName], ['container3', 'container4']);
    assert.match(echo.src!, /^172\.\d+\.0\.2$/);
    assert.ok(rows.find((r) => r.summary.startsWith('echo reply') && r.srcName === 'container4'));

    // A flood: the page sees a bounded number of rows, the rest are counted as skipped.
    const before = view.rows().length;
    const flood = Date.now();
    await sh('docker exec container3 ping -A -q -c 1500 container4 >/dev/null');
    const floodMs = Date.now() - flood;
    const skipped = await view.until((m) => { const n = m.reduce((a, x) => a + (x.type === 'skipped' ? x.count : 0), 0); return n > 1000 ? n : undefined; }, 15_000, 'skipped count');
    const shownDuringFlood = view.rows().length - before;
    console.log(`# ping -A -c 1500 (busybox flood) took ${floodMs} ms under capture; rows shown ${shownDuringFlood}, skipped ${skipped}`);
    assert.ok(shownDuringFlood < 400, `shown ${shownDuringFlood}`);

    view.send({ type: 'stop' });
    const stopped = await view.until((m) => m.find((x) => x.type === 'capture' && x.state === 'stopped'), 15_000, 'stopped');
    assert.ok(stopped.type === 'capture' && /Stopped by you/.test(stopped.reason ?? ''), JSON.stringify(stopped));
    assert.equal((await runner.provider.exec(sandbox, 'node1', 'pgrep -c tcpdump || true')).stdout.trim(), '0');

    // DNS to the embedded server, seen inside the container (its loopback).
    view.send({ type: 'start', host: 'node1', target: { kind: 'container', name: 'container3' }, filter: 'host 127.0.0.11', preset: 'dns' });
    await view.until((m) => m.filter((x) => x.type === 'capture' && x.state === 'running').length >= 2 ? true : undefined, 20_000, 'dns capture');
    await sh('docker exec container3 nslookup container4 >/dev/null');
    const dns = await view.until(() => { const r = view.rows().filter((x) => x.proto === 'DNS'); return r.some((x) => x.summary.startsWith('answer')) ? r : undefined; }, 10_000, 'DNS rows');
    assert.ok(dns.some((r) => /^query A\? container4/.test(r.summary)), JSON.stringify(dns));
    assert.ok(dns.some((r) => /^answer A 172\./.test(r.summary) && r.srcName === 'embedded DNS'), JSON.stringify(dns));

    // Closing the page ends the capture too.
    view.close();
    const end = Date.now() + 15_000;
    let left = '1';
    while (Date.now() < end && left !== '0') {
      left = (await runner.provider.exec(sandbox, 'node1', 'pgrep -c tcpdump || true')).stdout.trim();
      if (left !== '0') await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(left, '0', 'tcpdump left behind after the page closed');
  });

  test('bad requests get clear errors, not crashes', async (t) => {
    if (!hasImage) return t.skip(`${HOST_IMAGE} is not built`);
    const view = await View.open(cookieA);
    t.after(() => view.close());
    view.send({ type: 'start', host: 'node1', target: { kind: 'interface', name: 'eth0; reboot' }, filter: '' });
    view.send({ type: 'start', host: 'node1', target: { kind: 'interface', name: 'eth0' }, filter: 'icmp; rm -rf /' });
    view.send({ type: 'start', host: 'node1', target: { kind: 'network', name: 'nosuch' }, filter: '' });
    const errs = await view.until((m) => { const e = m.filter((x) => x.type === 'error'); return e.length >= 3 ? e : undefined; }, 15_000, 'three errors');
    assert.match(JSON.stringify(errs), /There is no network nosuch/);
    view.send({ type: 'start', host: 'node1', target: { kind: 'interface', name: 'eth0' }, filter: 'icmp and and' });
    const stop = await view.until((m) => m.find((x) => x.type === 'capture' && x.state === 'stopped'), 20_000, 'bad filter stop');
    assert.ok(stop.type === 'capture');
    assert.match(stop.reason ?? '', /filter was not understood/);
    await assert.rejects(View.open(cookieB), /HTTP 404/);
  });
});
