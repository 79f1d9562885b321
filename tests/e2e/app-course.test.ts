/// <reference lib="dom" />
// The real course (lessons/) in Chromium, from the real build in .next (built here when stale,
// as `npm test` does): every lesson page renders in both languages with all its exercises and
// their status regions; screenshots of the course map and the first lesson for the README.
// The sandbox API is stubbed by the page (the journey with real sandboxes is its own test).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { type Browser, type Page } from 'playwright-core';
import { loadCourse, type Course } from '../../lessons/load.ts';
import { launchChromium, root, screenshots as shots, startServer, type TestServer } from './harness.ts';

let srv: TestServer | undefined;
let browser: Browser | undefined;
let base = '';
let course: Course;

before(async () => {
  course = await loadCourse({ dir: path.join(root, 'lessons'), compile: false });
  // The real course (a lessons folder named by the caller's environment is not ours).
  srv = await startServer({ name: 'course', labPool: '10.240.0.0/16', env: { DNL_LESSONS_DIR: '' } });
  base = srv.base;
  browser = await launchChromium();
  fs.mkdirSync(shots, { recursive: true });
});

after(async () => {
  await browser?.close();
  await srv?.stop();
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
        const res = await page.goto(`${base}/?lang=${lang}`);
        await page.locator('.lesson-card h3 a').first().waitFor({ timeout: 30_000 }).catch(() => undefined);
        const titles = await page.locator('.lesson-card h3 a').allTextContents();
        assert.equal(titles.length, course.lessons.length,
          `${lang}: ${titles.length} lesson cards at ${page.url()} (HTTP ${res?.status()}): ${(await page.locator('body').innerText()).slice(0, 300)}`);
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
