/// <reference lib="dom" />
// Lab views against the real stack (issue 10): scripts/serve.ts with the real course, real
// sandboxes, Debian's Chromium. (1) A port published in the terminal shows as a link that opens
// nginx through /lab/…; other learners and other addresses/ports are refused. (2) The bridge
// preset shows ARP and ICMP echo rows with container names; a `ping -f` flood is rate-limited
// while the terminal stays responsive; Stop leaves no tcpdump in the host. (3) The overlay preset
// shows VXLAN (UDP 4789) between node1 and node2 (one two-host test: they are slow).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { launchChromium, screenshots, startServer, type TestServer } from './harness.ts';
import { terminalText } from './page-terminal.ts';

interface XtermLike { buffer: { active: { length: number; baseY: number; cursorY: number; getLine(i: number): { translateToString(trim?: boolean): string } | undefined } } }
declare global { interface Window { term?: XtermLike } }

let srv: TestServer;
let browser: Browser;
let ctxA: BrowserContext;
let pageA: Page;
let sandboxA = '';
const figures: string[] = [];

before(async () => {
  srv = await startServer({ name: 'labview', labPool: '10.202.0.0/16', env: { DNL_LESSONS_DIR: '' } });
  browser = await launchChromium();
});

after(async () => {
  if (figures.length) console.log(`# figures: ${figures.join('; ')}`);
  const notes = (srv?.log() ?? '').split('\n').filter((l) => /labview|error|failed/i.test(l)).slice(-20);
  if (notes.length) console.log(`# server log (labview/errors):\n${notes.map((l) => `#   ${l}`).join('\n')}`);
  await browser?.close().catch(() => {});
  await srv?.stop();
});

/** Runs a command in a sandbox host directly (set-up steps that are not what this test is about). */
function hostExec(sandbox: string, host: string, script: string): string {
  const id = execFileSync('docker', ['ps', '-q', '--filter', `label=dnl.instance=${srv.instance}`, '--filter', `label=dnl.sandbox=${sandbox}`, '--filter', `label=dnl.host=${host}`], { encoding: 'utf8' }).trim();
  assert.ok(id, `host ${host} of ${sandbox}`);
  return execFileSync('docker', ['exec', id, 'bash', '-lc', script], { encoding: 'utf8', timeout: 120_000 });
}

/** The page's terminal: screen and scrollback. */
const screen = terminalText;

async function waitPrompt(page: Page, timeoutMs = 120_000): Promise<void> {
  await page.waitForFunction(() => {
    const b = window.term?.buffer.active;
    return !!b && /[#$] ?$/.test((b.getLine(b.baseY + b.cursorY)?.translateToString(true) ?? '').trimEnd());
  }, undefined, { timeout: timeoutMs, polling: 50 });
}

async function waitScreen(page: Page, re: RegExp, timeoutMs = 30_000): Promise<void> {
  await page.waitForFunction(([src, flags]) => {
    const b = window.term?.buffer.active;
    if (!b) return false;
    const out: string[] = [];
    for (let i = 0; i < b.length; i++) out.push(b.getLine(i)?.translateToString(true) ?? '');
    return new RegExp(src!, flags).test(out.join('\n'));
  }, [re.source, re.flags], { timeout: timeoutMs, polling: 50 }).catch(async (err: unknown) => {
    const tail = (await screen(page)).split('\n').filter(Boolean).slice(-12).join('\n');
    throw new Error(`${String(err)}\nwaiting for ${re} on the terminal; it shows:\n${tail}`);
  });
}

async function type(page: Page, text: string, waitForPrompt = true): Promise<number> {
  if (waitForPrompt) await waitPrompt(page);
  await page.locator('.terminal-slot[data-host="node1"] .xterm').first().click();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
  return Date.now();
}

async function openLesson(ctx: BrowserContext, slug: string): Promise<Page> {
  const page = await ctx.newPage();
  await page.goto(`${srv.base}/lessons/${slug}?lang=en`);
  await page.waitForFunction(() => Boolean(window.term), undefined, { timeout: 180_000 });
  await waitPrompt(page, 180_000);
  return page;
}

async function sandboxOf(ctx: BrowserContext): Promise<string> {
  const body = await (await ctx.request.get(`${srv.base}/runner/api/sandboxes/current`)).json() as { sandboxes: Array<{ id: string }> };
  assert.ok(body.sandboxes[0]);
  return body.sandboxes[0].id;
}

describe('lab views in the browser', { timeout: 600_000 }, () => {
  test('a published port becomes a link that opens nginx; nobody else and nothing else gets through', async () => {
    ctxA = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    pageA = await openLesson(ctxA, '04-port-publishing');
    sandboxA = await sandboxOf(ctxA);
    await pageA.locator('[data-testid="port-links"]').waitFor();
    const typed = await type(pageA, 'docker run -d -p 8080:80 nginx');
    // docker run prints the container id when the container has started (seconds on a busy machine).
    await waitScreen(pageA, /^[0-9a-f]{64}$/m, 90_000);
    const started = Date.now();
    const link = pageA.locator('[data-testid="port-links"] a[data-port="8080"]');
    await link.waitFor({ timeout: 30_000 });
    const linkMs = Date.now() - started;
    figures.push(`link visible ${Date.now() - typed} ms after Enter, ${linkMs} ms after docker run printed the id`);
    // The 1-second budget is asserted where it is measurable (tests/integration/labview.test.ts,
    // runner side); here the browser, the inner engine and a load of 40–80 on 2 cores add up.
    assert.ok(linkMs < 20_000, `the link took ${linkMs} ms after docker run returned`);
    const href = await link.getAttribute('href');
    assert.equal(href, `/lab/${sandboxA}/node1/8080/`);
    const [tab] = await Promise.all([ctxA.waitForEvent('page'), link.click()]);
    await tab.waitForLoadState();
    assert.match(await tab.locator('h1').innerText(), /Welcome to nginx/);
    assert.equal(new URL(tab.url()).pathname, href);
    await tab.close();
    await pageA.screenshot({ path: path.join(screenshots, 'lab-ports.png') });

    // Another learner (their own valid cookie) asking for the same URL is refused.
    const ctxB = await browser.newContext();
    try {
      await ctxB.request.get(`${srv.base}/runner/api/sandboxes/current`); // mints B's cookie
      assert.ok((await ctxB.cookies(srv.base)).some((c) => c.name === 'dnl_learner'));
      const r = await ctxB.request.get(`${srv.base}${href}`);
      assert.equal(r.status(), 404);
      assert.doesNotMatch(await r.text(), /Welcome to nginx/);
    } finally { await ctxB.close(); }
    // The owner naming any other address or port is refused too (never an open proxy).
    for (const bad of [`/lab/${sandboxA}/node1/8081/`, `/lab/${sandboxA}/node1/80/`, `/lab/${sandboxA}/node2/8080/`, `/lab/${sandboxA}/10.202.0.1/8080/`,
      `/lab/${sandboxA}/127.0.0.1/8080/`, `/lab/${sandboxA}/172.17.0.2/80/`, `/lab/${sandboxA}/node1/2375/`, `/lab/${sandboxA}/node1/8080@169.254.169.254/`]) {
      const r = await ctxA.request.get(`${srv.base}${bad}`, { maxRedirects: 0 });
      assert.equal(r.status(), 404, bad);
    }
  });

  test('bridge preset: ARP and ICMP echo rows with names within 2 s; a flood is rate-limited; Stop ends tcpdump', async () => {
    await pageA.close();
    pageA = await openLesson(ctxA, '05-bridge');
    assert.equal(await sandboxOf(ctxA), sandboxA, 'same one-host sandbox');
    await type(pageA, 'docker network create my_bridge_network && docker run -d --name container3 --network my_bridge_network nginx && docker run -d --name container4 --network my_bridge_network nginx && echo READY-$((6*7))');
    await waitScreen(pageA, /READY-42/, 60_000);
    await pageA.locator('button[data-preset="bridge"]').click();
    const status = pageA.locator('[data-testid="packet-status"]');
    await pageA.locator('[data-testid="packet-status"][data-state="running"]').waitFor({ timeout: 30_000 });
    assert.match(await status.innerText(), /Capturing on node1 br-/);

    await type(pageA, 'docker exec container3 ping -c 2 container4');
    await waitScreen(pageA, /64 bytes from/, 30_000);
    const firstReply = Date.now();
    const rows = pageA.locator('[data-testid="packet-rows"] tbody tr');
    await rows.filter({ hasText: 'echo reply' }).first().waitFor({ timeout: 2000 });
    figures.push(`echo reply row ${Date.now() - firstReply} ms after the terminal printed the first reply`);
    const arpReq = rows.filter({ hasText: 'who-has' }).first();
    await arpReq.waitFor({ timeout: 2000 });
    assert.equal(await arpReq.getAttribute('data-proto'), 'ARP');
    assert.match(await arpReq.innerText(), /container3[\s\S]*container4[\s\S]*who-has 172\.\d+\.0\.3\? tell 172\.\d+\.0\.2/);
    const arpReply = rows.filter({ hasText: 'is-at' }).first();
    assert.match(await arpReply.innerText(), /container4/);
    const req = rows.filter({ hasText: 'echo request' }).first();
    const cells = await req.locator('td').allInnerTexts();
    assert.match(cells[2]!, /container3\s*172\.\d+\.0\.2/);
    assert.match(cells[3]!, /container4\s*172\.\d+\.0\.3/);
    assert.equal(cells[4], 'ICMP');
    const reply = await rows.filter({ hasText: 'echo reply' }).first().locator('td').allInnerTexts();
    assert.match(reply[2]!, /container4/);
    await pageA.screenshot({ path: path.join(screenshots, 'lab-packets.png') });

    // Terminal round trip before the flood (a baseline on this busy machine) …
    await waitPrompt(pageA);
    let t0 = await type(pageA, 'echo base-$((40+1))');
    await waitScreen(pageA, /base-41/);
    const baseMs = Date.now() - t0;
    // … and during it: the flood runs in the background while the capture watches.
    await type(pageA, 'docker exec container3 ping -f -c 1500 container4 > /tmp/flood.log 2>&1 &');
    await pageA.locator('[data-testid="packet-skipped"]').waitFor({ timeout: 30_000 });
    t0 = await type(pageA, 'echo alive-$((40+2))');
    await waitScreen(pageA, /alive-42/, 10_000);
    const floodMs = Date.now() - t0;
    figures.push(`terminal echo ${baseMs} ms before / ${floodMs} ms during the flood`);
    assert.ok(floodMs < 3000, `the terminal answered in ${floodMs} ms during the flood`);
    await pageA.waitForFunction(() => Number(document.querySelector('[data-testid="packet-skipped"]')?.getAttribute('data-count')) > 500, undefined, { timeout: 30_000 });
    const skipped = Number(await pageA.locator('[data-testid="packet-skipped"]').getAttribute('data-count'));
    const shown = await rows.count();
    figures.push(`flood: ${shown} rows shown, ${skipped} not shown`);
    assert.ok(shown <= 400, `rows shown ${shown}`);
    assert.match(await pageA.locator('[data-testid="packet-skipped"]').innerText(), /not shown/);

    assert.equal(await status.getAttribute('data-state'), 'running');
    assert.equal(hostExec(sandboxA, 'node1', 'pgrep -c tcpdump || true').trim(), '1');
    const stopAt = Date.now();
    await pageA.locator('[data-testid="packet-toggle"]').click();
    await pageA.locator('[data-testid="packet-status"][data-state="stopped"]').waitFor({ timeout: 15_000 });
    figures.push(`stop → stopped in ${Date.now() - stopAt} ms`);
    assert.match(await status.innerText(), /Stopped by you/);
    assert.equal(hostExec(sandboxA, 'node1', 'pgrep -c tcpdump || true').trim(), '0', 'no tcpdump left in the host');
  });

  test('overlay preset: VXLAN on UDP 4789 between node1 and node2', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    try {
      const page = await openLesson(ctx, '08-overlay');
      const sb = await sandboxOf(ctx);
      // Swarm and overlay set-up straight in the hosts (the lesson's own solution commands).
      hostExec(sb, 'node1', 'docker swarm init --advertise-addr eth0 >/dev/null && docker swarm join-token -q worker > /tmp/token');
      const token = hostExec(sb, 'node1', 'cat /tmp/token').trim();
      hostExec(sb, 'node2', `docker swarm join --token ${token} node1:2377 >/dev/null`);
      hostExec(sb, 'node1', 'docker network create -d overlay --attachable my_overlay_network >/dev/null');
      // Attaching to a fresh overlay can time out in swarm's control plane on a saturated machine
      // ("context deadline exceeded"); a learner would simply run it again, so does this set-up.
      const run = (name: string) => `for i in 1 2 3 4; do docker rm -f ${name} >/dev/null 2>&1; docker run -d --name ${name} --network my_overlay_network nginx >/dev/null && exit 0; sleep 2; done; exit 1`;
      hostExec(sb, 'node1', run('container8'));
      hostExec(sb, 'node2', run('container9'));
      await page.locator('button[data-preset="overlay"]').click();
      await page.locator('[data-testid="packet-status"][data-state="running"]').waitFor({ timeout: 30_000 });
      const pinged = Date.now();
      hostExec(sb, 'node2', 'docker exec container9 ping -c 2 container8 >/dev/null');
      const rows = page.locator('[data-testid="packet-rows"] tbody tr[data-proto="VXLAN"]');
      await rows.filter({ hasText: 'ICMP echo request' }).first().waitFor({ timeout: 10_000 });
      figures.push(`VXLAN rows ${Date.now() - pinged} ms after the ping command started`);
      const cells = await rows.filter({ hasText: 'ICMP echo request' }).first().locator('td').allInnerTexts();
      assert.match(cells[2]!, /node2\s*10\.202\.\d+\.\d+\.\d+/);
      assert.match(cells[3]!, /node1\s*10\.202\.\d+\.\d+\.4789/);
      assert.match(cells[5]!, /VXLAN vni \d+: 10\.0\.\d+\.\d+ > 10\.0\.\d+\.\d+ ICMP echo request/);
      await page.screenshot({ path: path.join(screenshots, 'lab-vxlan.png') });
      await page.locator('[data-testid="packet-toggle"]').click();
      await page.locator('[data-testid="packet-status"][data-state="stopped"]').waitFor({ timeout: 15_000 });
      assert.equal(hostExec(sb, 'node1', 'pgrep -c tcpdump || true').trim(), '0');
    } finally { await ctx.close(); }
  });
});
