/// <reference lib="dom" />
// The learner's whole journey with a REAL sandbox, in Chromium, in English and in Korean:
// course map → bridge lesson → lab ready → the seed's commands through the Run buttons → both
// exercises Passed → the live diagram shows my_bridge_network with container3 and container4 and
// the addresses the inner engine really gave them (click / keyboard: details) → container3's
// address typed into the answer box (a wrong one first) → reload keeps progress, terminal and
// diagram → the course map shows the lesson's progress. Saves the README's screenshots of the
// course map, the lesson and the diagram (docs/screenshots/journey-*.png, diagram*.png).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { names } from '../../lab-runner/provider/labels.ts';
import { launchChromium, screenshots as shots, startServer, type TestServer } from './harness.ts';

interface XtermLike { buffer: { active: { length: number; baseY: number; cursorY: number; getLine(i: number): { translateToString(trim?: boolean): string } | undefined } } }
declare const window: { term?: XtermLike };

const SLUG = '05-bridge';
let srv: TestServer | undefined;
let browser: Browser | undefined;

before(async () => {
  // The real course (not a fixture folder a caller's environment may name).
  // One warm sandbox: the English journey's lab starts while the server and the course map load,
  // and the pool's refill is ready by the time the Korean journey asks.
  srv = await startServer({ name: 'journey', labPool: '10.204.0.0/16', env: { DNL_LESSONS_DIR: '', DNL_POOL_SIZE: '1' } });
  browser = await launchChromium();
  fs.mkdirSync(shots, { recursive: true });
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

const WORDS = {
  en: { progress: /3 of 6 exercises passed/, passed: 'Passed' },
  ko: { progress: /실습 6개 중 3개 통과/, passed: '통과' },
} as const;

/** Screen + scrollback of the focused terminal. */
function screen(page: Page): Promise<string> {
  return page.evaluate(() => {
    const b = window.term?.buffer.active;
    if (!b) return '';
    const out: string[] = [];
    for (let i = 0; i < b.length; i++) out.push(b.getLine(i)?.translateToString(true) ?? '');
    return out.join('\n');
  });
}

async function waitScreen(page: Page, re: RegExp, timeout = 90_000): Promise<void> {
  try {
    await page.waitForFunction((src) => {
      const b = window.term?.buffer.active;
      if (!b) return false;
      let s = '';
      for (let i = 0; i < b.length; i++) s += (b.getLine(i)?.translateToString(true) ?? '') + '\n';
      return new RegExp(src).test(s);
    }, re.source, { timeout, polling: 100 });
  } catch (err) {
    throw new Error(`${String(err)}\nwaiting for ${re} in the terminal:\n${(await screen(page)).split('\n').filter(Boolean).slice(-15).join('\n')}`);
  }
}

async function waitPrompt(page: Page, timeout = 120_000): Promise<void> {
  await page.waitForFunction(() => {
    const b = window.term?.buffer.active;
    return Boolean(b && /[#$] ?$/.test((b.getLine(b.baseY + b.cursorY)?.translateToString(true) ?? '').trimEnd()));
  }, undefined, { timeout, polling: 50 });
}

async function waitPassed(page: Page, id: string, timeout = 90_000): Promise<void> {
  const ex = page.locator(`section.exercise[data-exercise="${id}"]`);
  try {
    await ex.locator('[role="status"][data-state="passed"]').waitFor({ timeout });
  } catch (err) {
    throw new Error(`${String(err)}\n${id} says: ${await ex.locator('[role="status"]').innerText().catch(() => '?')}`);
  }
}

/** Runs a lesson's code fence through its Run button (the first fence whose command matches). */
async function run(page: Page, command: string): Promise<void> {
  const btn = page.locator(`.prose button.btn-run[data-command*="${command}"]`).first();
  await btn.scrollIntoViewIfNeeded();
  await btn.click();
}

/** The live value in the learner's inner engine (what the diagram must show). */
function inner(instance: string, sandbox: string, format: string, container: string): string {
  return execFileSync('docker', ['exec', names.container(instance, sandbox, 'node1'), 'docker', 'inspect', '-f', format, container], { encoding: 'utf8' }).trim();
}

const IP = `{{(index .NetworkSettings.Networks "my_bridge_network").IPAddress}}`;
const MAC = `{{(index .NetworkSettings.Networks "my_bridge_network").MacAddress}}`;

async function diagramContainer(page: Page, name: string): Promise<string> {
  const g = page.locator(`.topology g.topo-container[data-container="${name}"]`);
  await g.waitFor({ timeout: 30_000 });
  return (await g.locator('text').allTextContents()).join('\n');
}

async function journey(lang: 'en' | 'ko'): Promise<void> {
  const w = WORDS[lang];
  const ctx = await browser!.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'light', locale: lang === 'ko' ? 'ko-KR' : 'en-US' });
  const page = await ctx.newPage();
  const suffix = lang === 'en' ? '' : `-${lang}`;
  try {
    // Course map → the bridge lesson.
    await page.goto(`${srv!.base}/?lang=${lang}`);
    await page.locator(`.lesson-card h3 a[href="/lessons/${SLUG}"]`).click();
    await page.waitForURL(`**/lessons/${SLUG}`);
    assert.equal(await page.locator('html').getAttribute('lang'), lang);

    // The lab starts; the terminal shows a prompt; the diagram shows the fresh engine.
    // A cold start on this shared 2-core machine can take minutes at load 40+.
    await page.locator('.sandbox-bar[data-phase="ready"]').waitFor({ timeout: 300_000 }).catch(async (err: unknown) => {
      throw new Error(`${String(err)}\nstatus line: ${await page.locator('.sandbox-bar').innerText().catch(() => '?')}`);
    });
    await page.waitForFunction(() => Boolean(window.term), undefined, { timeout: 60_000 });
    await waitPrompt(page);
    await page.locator('.topology g.topo-network[data-network="bridge"]').waitFor({ timeout: 30_000 });
    const { sandboxes } = await (await ctx.request.get(`${srv!.base}/runner/api/sandboxes/current`)).json() as { sandboxes: Array<{ id: string; lesson: string }> };
    const sandbox = sandboxes.find((s) => s.lesson === SLUG)!.id;

    // The seed's commands, through the Run buttons.
    await run(page, 'docker network create my_bridge_network');
    await waitPassed(page, 'create-network');
    const net = page.locator('.topology g.topo-network[data-network="my_bridge_network"]');
    await net.waitFor({ timeout: 30_000 });
    const subnet = execFileSync('docker', ['exec', names.container(srv!.instance, sandbox, 'node1'), 'docker', 'network', 'inspect', '-f', '{{(index .IPAM.Config 0).Subnet}}', 'my_bridge_network'], { encoding: 'utf8' }).trim();
    assert.ok((await net.locator('text').allTextContents()).some((l) => l.includes(`bridge · ${subnet}`)), `the diagram shows my_bridge_network's subnet ${subnet}`);

    await run(page, '--name container3 --network my_bridge_network');
    // Both containers drawn with an address: the docker runs have finished, the ping may go.
    await page.locator('.topology g.topo-container[data-container="container4"] text', { hasText: /^172\./ }).waitFor({ timeout: 90_000 });
    await page.locator('.topology g.topo-container[data-container="container3"] text', { hasText: /^172\./ }).waitFor({ timeout: 30_000 });
    await run(page, 'docker exec container3 ping -c 3 container4');
    await waitScreen(page, /3 packets transmitted, 3 (packets )?received/);
    await waitPassed(page, 'ping-by-name');
    assert.equal(await page.locator('section.exercise[data-exercise="create-network"] [role="status"]').innerText(), w.passed);

    // The diagram shows exactly what the engine says.
    const real: Record<string, { ip: string; mac: string }> = {};
    for (const c of ['container3', 'container4']) {
      real[c] = { ip: inner(srv!.instance, sandbox, IP, c), mac: inner(srv!.instance, sandbox, MAC, c) };
      const text = await diagramContainer(page, c);
      assert.ok(text.includes(real[c]!.ip) && text.includes(real[c]!.mac), `${c} drawn with ${real[c]!.ip} / ${real[c]!.mac}:\n${text}`);
    }
    const edges = await page.locator('.topology polyline.topo-edge').evaluateAll((els) => els.map((e) => e.getAttribute('data-edge')));
    assert.ok(edges.includes('my_bridge_network>container3') && edges.includes('my_bridge_network>container4'), `edges: ${edges.join(', ')}`);

    // Click a container: its details. Keyboard: Tab to the other one, Enter.
    await page.locator('.topology g.topo-container[data-container="container3"]').click();
    const details = page.locator('.topology-details[data-details="container3"]');
    await details.waitFor();
    assert.match(await details.locator('tr[data-network="my_bridge_network"]').innerText(), new RegExp(`${real.container3!.ip.replaceAll('.', '\\.')}/\\d+\\s+${real.container3!.mac}`));
    await page.locator('.topology g.topo-container[data-container="container4"]').focus();
    await page.keyboard.press('Enter');
    await page.locator('.topology-details[data-details="container4"]').waitFor();
    assert.match(await page.locator('.topology-details tr[data-network="my_bridge_network"]').innerText(), new RegExp(real.container4!.ip.replaceAll('.', '\\.')));

    // The answer box: container3's address, found live (here: in the diagram). A wrong answer
    // is refused without giving the right one away; the right one passes.
    const box = page.locator('form.answer-box[data-answer="container3-ip"]');
    await box.scrollIntoViewIfNeeded();
    await box.locator('input').fill('10.99.99.99');
    await box.locator('button[type="submit"]').click();
    const st = page.locator('section.exercise[data-exercise="container3-ip"] [role="status"]');
    await page.locator('section.exercise[data-exercise="container3-ip"] [role="status"][data-state="failed"]').waitFor({ timeout: 60_000 });
    const refusal = await st.innerText();
    assert.ok(!refusal.includes(real.container3!.ip), `a wrong answer must not reveal the right one: ${refusal}`);
    await box.locator('input').fill(real.container3!.ip);
    await box.locator('button[type="submit"]').click();
    await waitPassed(page, 'container3-ip', 60_000);

    await page.locator('.topology').scrollIntoViewIfNeeded();
    await page.locator('.topology').screenshot({ path: path.join(shots, `diagram${suffix}.png`) });
    await page.screenshot({ path: path.join(shots, `journey-lesson${suffix}.png`) });
    if (lang === 'en') {
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.locator('.topology').screenshot({ path: path.join(shots, 'diagram-dark.png') });
      await page.emulateMedia({ colorScheme: 'light' });
    }

    // Reload: progress, terminal (same shell, its scrollback) and diagram are all still there.
    await page.reload();
    await page.locator('.sandbox-bar[data-phase="ready"]').waitFor({ timeout: 60_000 });
    await waitPassed(page, 'create-network', 30_000);
    await waitPassed(page, 'ping-by-name', 30_000);
    await waitPassed(page, 'container3-ip', 30_000);
    await page.waitForFunction(() => Boolean(window.term), undefined, { timeout: 60_000 });
    await waitScreen(page, /docker network create my_bridge_network[\s\S]*3 packets transmitted/, 30_000);
    for (const c of ['container3', 'container4']) {
      const text = await diagramContainer(page, c);
      assert.ok(text.includes(real[c]!.ip), `after reload ${c} is drawn with ${real[c]!.ip}`);
    }

    // The course map shows the lesson's progress.
    await page.goto(`${srv!.base}/?lang=${lang}`);
    const card = page.locator('.lesson-card', { has: page.locator(`a[href="/lessons/${SLUG}"]`) });
    await card.locator('.progress:not(.progress-unknown)').waitFor({ timeout: 30_000 });
    assert.match(await card.locator('.progress').innerText(), w.progress);
    await page.screenshot({ path: path.join(shots, `journey-course-map${suffix}.png`), fullPage: true });
  } finally {
    await ctx.close();
  }
}

describe('the learner journey with a real sandbox', { timeout: 900_000 }, () => {
  test('English: course map → bridge lesson → Run → Passed → diagram → reload → progress', () => journey('en'));
  test('Korean: the same journey', () => journey('ko'));
});
