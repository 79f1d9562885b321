/// <reference lib="dom" />
// The real course (lessons/) in Chromium, from the real build in .next (built here when stale,
// as `npm test` does): every lesson page renders in both languages with all its exercises and
// their status regions; screenshots of the course map and the first lesson for the README.
// The sandbox API is stubbed by the page (the journey with real sandboxes is its own test).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadCourse, type Course } from '../../lessons/load.ts';
// @ts-expect-error -- plain JS module without types
import { ensureWebBuild } from '../../scripts/bootstrap.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const shots = path.join(root, 'docs/screenshots');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dnl-e2e-course-'));
const instance = `test-course-${Math.random().toString(36).slice(2, 8)}`;

let server: ChildProcess | undefined;
let browser: Browser | undefined;
let base = '';
let course: Course;

before(async () => {
  course = await loadCourse({ dir: path.join(root, 'lessons'), compile: false });
  (ensureWebBuild as () => void)();
  const port = await new Promise<number>((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port: p } = s.address() as net.AddressInfo; s.close(() => resolve(p)); });
  });
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1', DNL_DATA_DIR: dataDir, DNL_INSTANCE: instance,
    DNL_LAB_POOL: '10.240.0.0/16', DNL_POOL_SIZE: '0', NEXT_TELEMETRY_DISABLED: '1' };
  delete env.DNL_LESSONS_DIR; // the real course, from the real build
  delete env.DNL_NEXT_DIST_DIR;
  server = spawn(process.execPath, ['--import', 'tsx', 'scripts/serve.ts'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    server!.stdout!.on('data', (b: Buffer) => { log += b.toString(); if (log.includes('is ready')) resolve(); });
    server!.stderr!.on('data', (b: Buffer) => { log += b.toString(); });
    server!.once('exit', (code) => reject(new Error(`server exited (${code}):\n${log}`)));
    setTimeout(() => reject(new Error(`server not ready in 60 s:\n${log}`)), 60_000).unref();
  });
  base = `http://127.0.0.1:${port}`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  fs.mkdirSync(shots, { recursive: true });
});

after(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server!.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function stubbedPage(): Promise<Page> {
  const ctx = await browser!.newContext({ viewport: { width: 1360, height: 860 }, colorScheme: 'light' });
  const page = await ctx.newPage();
  const now = Date.now();
  await page.route('**/runner/api/sandboxes/current', (r) => r.fulfill({ json: { sandboxes: [] } }));
  await page.route('**/runner/api/sandboxes', async (r) => {
    const body = JSON.parse(r.request().postData() ?? '{}') as { lesson: string; hosts: number };
    await r.fulfill({ json: { id: 'e2ecourse', status: 'ready', lesson: body.lesson,
      hosts: Array.from({ length: body.hosts }, (_, i) => ({ name: `node${i + 1}`, ip: `10.240.0.${i + 2}` })),
      createdAt: now, expiresAt: now + 4 * 3600_000, idleExpiresAt: now + 30 * 60_000 } });
  });
  await page.route('**/runner/ws/**', (r) => r.abort());
  await page.route('**/runner/api/terminal-token', (r) => r.fulfill({ status: 503, json: { error: 'no sandbox in this test' } }));
  return page;
}

describe('the real course', () => {
  test('the course map lists every lesson in both languages', async () => {
    const page = await stubbedPage();
    try {
      for (const lang of ['en', 'ko'] as const) {
        await page.goto(`${base}/?lang=${lang}`);
        const titles = await page.locator('.lesson-card h3 a').allTextContents();
        assert.equal(titles.length, course.lessons.length);
        course.lessons.forEach((l, i) => assert.ok(titles[i]!.endsWith(l.content[lang].title), `${lang}: ${titles[i]} names ${l.slug}`));
        await page.locator('.lesson-card .progress:not(.progress-unknown)').first().waitFor();
        assert.match(await page.locator('.lesson-card .progress').first().innerText(), lang === 'en' ? /0 of \d+ exercises passed/ : /0개 통과/);
        if (lang === 'en') await page.screenshot({ path: path.join(shots, 'course-map.png'), fullPage: true });
      }
    } finally { await page.context().close(); }
  });

  test('every lesson renders in English and Korean with all its exercises and status regions', async () => {
    const page = await stubbedPage();
    try {
      for (const l of course.lessons) {
        for (const lang of ['en', 'ko'] as const) {
          await page.goto(`${base}/lessons/${l.slug}?lang=${lang}`);
          assert.equal(await page.locator('h1').innerText(), l.content[lang].title, `${l.slug} (${lang}) heading`);
          const ids = await page.locator('section.exercise').evaluateAll((els) => els.map((e) => e.getAttribute('data-exercise')));
          assert.deepEqual([...ids].sort(), l.lab.exercises.map((e) => e.id).sort(), `${l.slug} (${lang}) exercises`);
          assert.equal(await page.locator('section.exercise [role="status"]').count(), l.lab.exercises.length);
          assert.equal(await page.locator('.host-tabs [role="tab"]').count(), l.lab.hosts);
          // Markdown tables are tables, never pipes in a paragraph.
          assert.equal(await page.locator('.prose p', { hasText: /\|\s*-{3,}\s*\|/ }).count(), 0, `${l.slug} (${lang}): a table rendered as text`);
        }
      }
      const first = course.lessons[0];
      if (first) {
        await page.goto(`${base}/lessons/${first.slug}?lang=en`);
        await page.locator('.terminal-slot .dnl-terminal').first().waitFor();
        await page.screenshot({ path: path.join(shots, 'lesson.png') });
        await page.goto(`${base}/lessons/${first.slug}?lang=ko`);
        await page.screenshot({ path: path.join(shots, 'lesson-ko.png') });
      }
    } finally { await page.context().close(); }
  });

  test('first-load JavaScript of a real lesson page stays within the 300 KB (gzip) budget', async () => {
    const first = course.lessons[0];
    if (!first) return;
    const html = await (await fetch(`${base}/lessons/${first.slug}?lang=en`)).text();
    const srcs = [...new Set([...html.matchAll(/<script[^>]+src="([^"]+\.js)"/g)].map((m) => m[1]!))];
    let gz = 0;
    for (const src of srcs) gz += zlib.gzipSync(Buffer.from(await (await fetch(new URL(src, base))).arrayBuffer())).length;
    console.log(`# /lessons/${first.slug} first-load JS: ${srcs.length} scripts, ${(gz / 1024).toFixed(1)} KB gzipped (HTML ${(zlib.gzipSync(html).length / 1024).toFixed(1)} KB gzipped)`);
    assert.ok(gz < 300 * 1024);
  });
});
