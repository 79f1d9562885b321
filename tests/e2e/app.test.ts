/// <reference lib="dom" />
// The web app in Chromium, against the real server (scripts/serve.ts: Next + runner on one
// port), built from the fixture lessons (tests/e2e/fixtures/lessons) into .next-e2e so the real
// build in .next is never touched. The sandbox API is answered by the page's route stub: this
// file tests the web app (course map, lesson page, languages, Run buttons, status regions);
// the sandbox and check journeys have their own tests.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { launchChromium, root, screenshots as shots, startServer as startTestServer, type TestServer } from './harness.ts';

const fixtures = path.join(root, 'tests/e2e/fixtures/lessons');
const distDir = '.next-e2e';
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dnl-e2e-app-'));
const instance = `test-app-${Math.random().toString(36).slice(2, 8)}`;
const buildEnv: NodeJS.ProcessEnv = { ...process.env, DNL_DATA_DIR: dataDir, DNL_INSTANCE: instance, NEXT_TELEMETRY_DISABLED: '1' };

let srv: TestServer | undefined;
let browser: Browser | undefined;
let base = '';

/** A copy of the fixture course with one mistake, outside the repository. */
function brokenCourse(): string {
  const dir = path.join(dataDir, 'broken-lessons');
  fs.cpSync(fixtures, dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}\n');
  for (const slug of fs.readdirSync(dir).filter((d) => /^\d\d-/.test(d))) {
    const lab = path.join(dir, slug, 'lab.ts');
    fs.writeFileSync(lab, fs.readFileSync(lab, 'utf8').replaceAll("'../../../../../lessons/", `'${root}/lessons/`));
  }
  const lab = path.join(dir, '01-first-steps', 'lab.ts');
  const src = fs.readFileSync(lab, 'utf8');
  const broken = src.replace("hints: ['Use `--network` with `docker run`.'],", 'hints: [],');
  assert.notEqual(broken, src);
  fs.writeFileSync(lab, broken);
  return dir;
}

describe('build', () => {
  test('a malformed lesson fails `next build` naming the file, the field and the reason', async () => {
    const dir = brokenCourse();
    // Its own build folder: a failed build must not leave the fixture build half-written.
    const r = spawnSync('npx', ['next', 'build'], { cwd: root, env: { ...buildEnv, DNL_LESSONS_DIR: dir, DNL_NEXT_DIST_DIR: `${distDir}-broken` }, encoding: 'utf8', timeout: 240_000 });
    fs.rmSync(path.join(root, `${distDir}-broken`), { recursive: true, force: true });
    assert.notEqual(r.status, 0, 'the build must fail');
    const out = `${r.stdout}\n${r.stderr}`;
    const expected = `${dir}/01-first-steps/lab.ts: exercises[1].hints: expected at least 1 hint`;
    assert.ok(out.includes(expected), `expected the build output to contain\n  ${expected}\n${out}`);
  });
});

const startServer = async () => {
  srv = await startTestServer({ name: 'app', labPool: '10.240.0.0/16', dataDir, instance,
    env: { DNL_LESSONS_DIR: fixtures, DNL_NEXT_DIST_DIR: distDir } });
  base = srv.base;
  browser = await launchChromium();
  fs.mkdirSync(shots, { recursive: true });
};

after(async () => {
  await browser?.close();
  if (srv) await srv.stop();
  else fs.rmSync(dataDir, { recursive: true, force: true });
});

/** A page whose sandbox API answers "ready" at once (no Docker work in this file). */
async function newPage(opts: { width?: number; colorScheme?: 'dark' | 'light' } = {}): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser!.newContext({ viewport: { width: opts.width ?? 1360, height: 860 }, colorScheme: opts.colorScheme ?? 'light' });
  const page = await ctx.newPage();
  const now = Date.now();
  const view = (lesson: string, hosts: number) => ({
    id: 'e2efake1', status: 'ready', lesson, hosts: Array.from({ length: hosts }, (_, i) => ({ name: `node${i + 1}`, ip: `10.240.0.${i + 2}` })),
    createdAt: now, expiresAt: now + 4 * 3600_000, idleExpiresAt: now + 30 * 60_000,
  });
  await page.route('**/runner/api/sandboxes/current', (r) => r.fulfill({ json: { sandboxes: [] } }));
  await page.route('**/runner/api/sandboxes', async (r) => {
    const body = JSON.parse(r.request().postData() ?? '{}') as { lesson: string; hosts: number };
    await r.fulfill({ json: view(body.lesson, body.hosts) });
  });
  await page.route('**/runner/ws/lab**', (r) => r.abort());
  return { ctx, page };
}

describe('web app', () => {
  before(startServer);
  test('the course map lists every lesson with summary, minutes and progress', async () => {
    const { ctx, page } = await newPage();
    try {
      await page.goto(`${base}/?lang=en`);
      const cards = page.locator('.lesson-card');
      assert.equal(await cards.count(), 2);
      assert.equal(await cards.nth(0).locator('h3 a').getAttribute('href'), '/lessons/01-first-steps');
      assert.match(await cards.nth(0).innerText(), /First steps[\s\S]*List the default networks[\s\S]*10 min[\s\S]*2 exercises/);
      assert.match(await cards.nth(1).innerText(), /Two hosts[\s\S]*15 min[\s\S]*vxlan/);
      // Nothing visited yet: the call to action starts the course.
      assert.equal(await page.getByRole('link', { name: 'Start with the first lesson' }).getAttribute('href'), '/lessons/01-first-steps');
      await page.screenshot({ path: path.join(shots, 'fixture-course-map.png'), fullPage: true });
      // A student in a workshop room finds the join form from every page's header.
      await page.getByTestId('join-workshop').click();
      await page.waitForURL(/\/workshop(\?|$)/);
      await page.getByTestId('join-code').waitFor();
    } finally { await ctx.close(); }
  });

  test('a lesson renders in English and Korean with its exercises and status regions', async () => {
    const { ctx, page } = await newPage();
    try {
      await page.goto(`${base}/lessons/01-first-steps?lang=en`);
      assert.equal(await page.locator('h1').innerText(), 'First steps');
      const exercises = page.locator('section.exercise');
      assert.equal(await exercises.count(), 2);
      assert.match(await exercises.nth(0).locator('h3').innerText(), /Exercise 1\s*Create a user-defined bridge/);
      const statuses = page.locator('section.exercise [role="status"]');
      assert.equal(await statuses.count(), 2);
      assert.equal((await statuses.nth(0).innerText()).trim(), 'Not checked yet');
      // The stubbed runner says the lab is ready; the status line shows the time left.
      await page.getByText(/Lab ready · \d+ min left/).waitFor();
      assert.equal(await page.locator('.host-tabs [role="tab"]').count(), 1);
      // The terminal component arrives lazily once the lab is ready (not in the first load).
      await page.locator('.terminal-slot[data-host="node1"] .dnl-terminal').waitFor();
      await page.screenshot({ path: path.join(shots, 'fixture-lesson.png') });

      // The status region is what the runner feeds: a pushed status appears as text.
      await page.evaluate(() => window.dispatchEvent(new CustomEvent('dnl:exercise', { detail: {
        type: 'exercise', lessonSlug: '01-first-steps', exerciseId: 'create-bridge', passed: true, reason: 'my_bridge_network exists' } })));
      await page.locator('#exercise-create-bridge [role="status"]', { hasText: 'Passed' }).waitFor();
      await page.evaluate(() => window.dispatchEvent(new CustomEvent('dnl:exercise', { detail: {
        type: 'exercise', lessonSlug: '01-first-steps', exerciseId: 'run-container', passed: false, reason: 'container3 is not attached to my_bridge_network' } })));
      await page.locator('#exercise-run-container [role="status"]', { hasText: 'container3 is not attached to my_bridge_network' }).waitFor();
      // A kernel feature the host lacks: the status says why, and the lab pane says it once.
      await page.evaluate(() => window.dispatchEvent(new CustomEvent('dnl:exercise', { detail: {
        type: 'exercise', lessonSlug: '01-first-steps', exerciseId: 'run-container', passed: false, unavailable: true,
        reason: 'This host’s kernel has no ipvlan driver, so this exercise cannot run here.' } })));
      await page.locator('.pane-lab [role="note"]', { hasText: 'no ipvlan driver' }).waitFor();
      await page.locator('#exercise-run-container [role="status"]', { hasText: 'no ipvlan driver' }).waitFor();

      // Korean, and the choice is remembered without ?lang.
      await page.goto(`${base}/lessons/01-first-steps?lang=ko`);
      assert.equal(await page.locator('h1').innerText(), '첫걸음');
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'ko');
      assert.equal(await page.locator('section.exercise').count(), 2);
      assert.match(await page.locator('section.exercise h3').first().innerText(), /실습 1\s*사용자 정의 브리지 만들기/);
      assert.equal((await page.locator('section.exercise [role="status"]').first().innerText()).trim(), '아직 확인하지 않음');
      await page.goto(`${base}/lessons/01-first-steps`);
      assert.equal(await page.locator('h1').innerText(), '첫걸음');
      await page.screenshot({ path: path.join(shots, 'fixture-lesson-ko.png') });
      await page.goto(`${base}/?lang=en`);
      assert.equal(await page.locator('.lesson-card h3').first().textContent(), 'Lesson 1: First steps');
    } finally { await ctx.close(); }
  });

  test('Run buttons dispatch the right command to the right host', async () => {
    const { ctx, page } = await newPage();
    try {
      await page.goto(`${base}/lessons/02-two-hosts?lang=en`);
      await page.evaluate(() => {
        const w = window as unknown as { runs: unknown[] };
        w.runs = [];
        window.addEventListener('dnl:run', (e) => w.runs.push((e as CustomEvent).detail));
      });
      const runs = () => page.evaluate(() => (window as unknown as { runs: unknown[] }).runs);
      assert.equal(await page.locator('.host-tabs [role="tab"]').count(), 2);
      await page.getByRole('button', { name: 'Run on node2', exact: true }).click();
      assert.deepEqual(await runs(), [{ host: 'node2', command: 'ping node1' }]);
      // Running on node2 brings node2's terminal tab forward.
      assert.equal(await page.locator('#host-tab-node2').getAttribute('aria-selected'), 'true');
      await page.getByRole('button', { name: 'Ctrl-C, then run on node2' }).click();
      assert.deepEqual((await runs())[1], { host: 'node2', command: "docker info --format '{{.Swarm.LocalNodeState}}'", interrupt: true });

      // The solution's commands are runnable too, after a confirmation.
      await page.locator('#exercise-join-swarm').getByRole('button', { name: 'Show solution' }).click();
      await page.getByRole('button', { name: 'Yes, show it' }).click();
      await page.locator('#exercise-join-swarm .solution').getByRole('button', { name: 'Run on node2', exact: true }).click();
      const third = (await runs())[2] as { host: string; command: string };
      assert.equal(third.host, 'node2');
      assert.match(third.command, /^docker swarm join --token/);

      // Single-host lesson: a fence without host= runs on node1.
      await page.goto(`${base}/lessons/01-first-steps?lang=en`);
      await page.evaluate(() => {
        const w = window as unknown as { runs: unknown[] };
        w.runs = [];
        window.addEventListener('dnl:run', (e) => w.runs.push((e as CustomEvent).detail));
      });
      await page.getByRole('button', { name: 'Run on node1', exact: true }).first().click();
      assert.deepEqual(await runs(), [{ host: 'node1', command: 'docker network ls' }]);
    } finally { await ctx.close(); }
  });

  test('Run before the lab is ready says so; runner errors have a sentence and a way forward', async () => {
    const ctx = await browser!.newContext({ viewport: { width: 1360, height: 860 } });
    const page = await ctx.newPage();
    try {
      const now = Date.now();
      await page.route('**/runner/api/sandboxes/current', (r) => r.fulfill({ json: { sandboxes: [] } }));
      let answer: 'starting' | 'full' = 'starting';
      await page.route('**/runner/api/sandboxes', (r) => (answer === 'starting'
        ? r.fulfill({ json: { id: 'e2estart', status: 'starting', lesson: '01-first-steps', hosts: [{ name: 'node1', ip: '10.240.0.2' }], createdAt: now, expiresAt: now + 3600_000, idleExpiresAt: now + 1800_000 } })
        : r.fulfill({ status: 503, json: { error: 'All 60 lab machines are in use. Try again in a few minutes.', code: 'capacity' } })));
      await page.route('**/runner/ws/**', (r) => r.abort());
      await page.goto(`${base}/lessons/01-first-steps?lang=en`);
      await page.locator('.sandbox-status', { hasText: 'Starting your lab' }).waitFor({ timeout: 20_000 }).catch(async (e: unknown) => {
        throw new Error(`${String(e)}\nstatus line: ${await page.locator('.sandbox-bar').innerText()}`);
      });
      await page.getByRole('button', { name: 'Run on node1', exact: true }).first().click();
      await page.locator('.lab-notice', { hasText: 'still starting' }).waitFor();
      answer = 'full';
      await page.reload();
      await page.locator('.sandbox-status', { hasText: 'All 60 lab machines are in use' }).waitFor();
      await page.getByRole('button', { name: 'Retry' }).waitFor();
      await page.unroute('**/runner/api/sandboxes');
      await page.route('**/runner/api/sandboxes', (r) => r.abort('connectionrefused'));
      await page.getByRole('button', { name: 'Retry' }).click();
      await page.locator('.sandbox-status', { hasText: 'The lab runner is not reachable' }).waitFor();
    } finally { await ctx.close(); }
  });

  test('hints are revealed one at a time, by keyboard', async () => {
    const { ctx, page } = await newPage();
    try {
      await page.goto(`${base}/lessons/01-first-steps?lang=en`);
      const ex = page.locator('#exercise-create-bridge');
      const hint = ex.getByRole('button', { name: 'Show hint 1 of 2' });
      await hint.focus();
      await page.keyboard.press('Enter');
      assert.equal(await ex.locator('.hints li').count(), 1);
      await ex.getByRole('button', { name: 'Show hint 2 of 2' }).focus();
      await page.keyboard.press('Enter');
      assert.equal(await ex.locator('.hints li').count(), 2);
      assert.equal(await ex.getByRole('button', { name: /Show hint/ }).count(), 0);
      // The first Tab reaches the skip link.
      await page.goto(`${base}/lessons/01-first-steps?lang=en`);
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
      // The split is resizable from the keyboard.
      const sep = page.getByRole('separator');
      const before = Number(await sep.getAttribute('aria-valuenow'));
      await sep.focus();
      await page.keyboard.press('ArrowRight');
      assert.ok(Number(await sep.getAttribute('aria-valuenow')) > before);
    } finally { await ctx.close(); }
  });

  test('narrow screens show prose and terminal as tabs; dark theme', async () => {
    const { ctx, page } = await newPage({ width: 420, colorScheme: 'dark' });
    try {
      await page.goto(`${base}/lessons/01-first-steps?lang=en`);
      assert.ok(await page.locator('.pane-prose').isVisible());
      assert.ok(!(await page.locator('.pane-lab').isVisible()));
      await page.getByRole('tab', { name: 'Terminal' }).click();
      assert.ok(await page.locator('.pane-lab').isVisible());
      assert.ok(!(await page.locator('.pane-prose').isVisible()));
      const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      assert.equal(bg, 'rgb(15, 20, 25)');
      await page.getByRole('tab', { name: 'Lesson' }).click();
      await page.screenshot({ path: path.join(shots, 'lesson-narrow-dark.png') });
    } finally { await ctx.close(); }
  });

  test('first-load JavaScript of the lesson page stays small', async () => {
    const html = await (await fetch(`${base}/lessons/01-first-steps?lang=en`)).text();
    const srcs = [...new Set([...html.matchAll(/<script[^>]+src="([^"]+\.js)"/g)].map((m) => m[1]!))];
    let gz = 0;
    let raw = 0;
    for (const src of srcs) {
      const buf = Buffer.from(await (await fetch(new URL(src, base))).arrayBuffer());
      raw += buf.length;
      gz += zlib.gzipSync(buf).length;
    }
    console.log(`# lesson page first-load JS: ${srcs.length} scripts, ${(raw / 1024).toFixed(1)} KB raw, ${(gz / 1024).toFixed(1)} KB gzipped`);
    assert.ok(gz < 300 * 1024, `first-load JS is ${(gz / 1024).toFixed(1)} KB gzipped; budget 300 KB`);
  });
});
