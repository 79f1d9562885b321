/// <reference lib="dom" />
// Live checks end to end, on the real stack (scripts/serve.ts: Next + runner, a real sandbox) in
// Chromium: on the bridge lesson (05-bridge) the learner types the exercise's command into the
// page's terminal, and the exercise's status region turns Passed by itself (no click).
// The latency from the command's completion (its output and the prompt back in the terminal) to
// "Passed" in the status region is measured in the page's own clock and logged; it is a figure
// for the report (issue 5 target: ≤ 1 s), not a timed assertion: speed targets are measured by
// `npm run bench` (bench/checks.ts), never asserted in tests on a shared machine.
// Then the same lab in Korean: a failing exercise gives its reason in Korean.
//   DNL_NEXT_DIST_DIR=.next-checks node --import tsx --test tests/e2e/checks-live.test.ts
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, startServer, type TestServer } from './harness.ts';

const LESSON = '05-bridge';

/** The page-side xterm surface this file touches. */
interface XtermLike {
  buffer: { active: { length: number; baseY: number; cursorY: number; getLine(i: number): { translateToString(trim?: boolean): string } | undefined } };
  onWriteParsed(fn: () => void): { dispose(): void };
}
type PageWindow = Window & { term?: XtermLike; __dnlCk?: { done?: number; passed?: number } };

let srv: TestServer | undefined;
let browser: Browser | undefined;
let ctx: BrowserContext | undefined;

before(async () => {
  // The real course, whatever lessons folder the caller's environment names.
  srv = await startServer({ name: 'checks', labPool: '10.203.0.0/16', env: { DNL_LESSONS_DIR: '' } });
  browser = await launchChromium();
});

after(async () => {
  await ctx?.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await srv?.stop();
});

const status = (page: Page, id: string) => page.locator(`#exercise-${id} [role="status"]`);

async function waitPrompt(page: Page, timeoutMs = 120_000): Promise<void> {
  await page.waitForFunction(() => {
    const t = (window as PageWindow).term;
    if (!t) return false;
    const b = t.buffer.active;
    return /[#$] ?$/.test((b.getLine(b.baseY + b.cursorY)?.translateToString(true) ?? '').trimEnd());
  }, undefined, { timeout: timeoutMs, polling: 50 });
}

async function type(page: Page, cmd: string): Promise<void> {
  await waitPrompt(page); // typed ahead of the prompt, a line is echoed twice (tty + readline)
  await page.locator('.terminal-slot[data-host="node1"] .xterm').first().click();
  await page.keyboard.type(cmd);
  await page.keyboard.press('Enter');
}

/**
 * Types `cmd`, which completes exercise `id`, and returns the page-clock latency from the
 * command's completion (a line matching `output` after the command, and the prompt back) to the
 * status region saying Passed. Negative: Passed showed before the terminal had the prompt back.
 */
async function passedAfter(page: Page, id: string, cmd: string, output: RegExp): Promise<number> {
  assert.doesNotMatch(await status(page, id).innerText(), /^Passed$/, `${id} must not pass before its command`);
  await waitPrompt(page);
  // Observers first (in the page): xterm's parsed writes for the completion, the status region for Passed.
  await page.evaluate(({ id, source, flags }) => {
    const w = window as PageWindow;
    const st: { done?: number; passed?: number } = {};
    w.__dnlCk = st;
    const region = document.querySelector(`#exercise-${id} [role="status"]`)!;
    const obs = new MutationObserver(() => {
      if (st.passed === undefined && region.textContent?.trim() === 'Passed') { st.passed = performance.now(); obs.disconnect(); }
    });
    obs.observe(region, { childList: true, subtree: true, characterData: true });
    const term = w.term!;
    const re = new RegExp(source, flags);
    // The command is typed on the prompt's line; its output and the next prompt come below it.
    // (No named inner functions here: tsx would wrap them in a helper the page does not have.)
    const from = term.buffer.active.baseY + term.buffer.active.cursorY;
    const sub = term.onWriteParsed(() => {
      const b = term.buffer.active;
      const cursor = b.baseY + b.cursorY;
      if (cursor <= from || !/[#$] ?$/.test((b.getLine(cursor)?.translateToString(true) ?? '').trimEnd())) return;
      for (let i = from + 1; i < cursor; i++) {
        if (re.test(b.getLine(i)?.translateToString(true) ?? '')) { st.done = performance.now(); sub.dispose(); return; }
      }
    });
  }, { id, source: output.source, flags: output.flags });
  await type(page, cmd);
  await status(page, id).filter({ hasText: /^Passed$/ }).waitFor({ timeout: 60_000 });
  await page.waitForFunction(() => (window as PageWindow).__dnlCk?.done !== undefined, undefined, { timeout: 60_000, polling: 50 });
  const { done, passed } = await page.evaluate(() => (window as PageWindow).__dnlCk!);
  assert.ok(done !== undefined && passed !== undefined);
  return Math.round(passed - done);
}

test('an exercise turns Passed in the page by itself once its command completes (latency logged)', { timeout: 600_000 }, async (t) => {
  ctx = await browser!.newContext({ viewport: { width: 1360, height: 900 } });
  const page = await ctx.newPage();
  await page.goto(`${srv!.base}/lessons/${LESSON}?lang=en`);
  // The learner's own sandbox starts for the lesson; the live stream says what is missing.
  await page.getByText(/Lab ready/).first().waitFor({ timeout: 240_000 });
  await page.locator('.terminal-slot[data-host="node1"] .dnl-terminal').waitFor({ timeout: 60_000 });
  await waitPrompt(page, 180_000);
  await status(page, 'create-network').filter({ hasText: 'There is no network named my_bridge_network' }).waitFor({ timeout: 60_000 });

  // An exercise the Engine API alone decides.
  const create = await passedAfter(page, 'create-network', 'docker network create my_bridge_network', /^[0-9a-f]{64}$/);
  // One that needs a real ping inside the lab: it completes when container4 is up.
  await type(page, 'docker run -d --name container3 --network my_bridge_network nginx');
  await status(page, 'ping-by-name').filter({ hasText: 'There is no container named container4' }).waitFor({ timeout: 120_000 });
  const ping = await passedAfter(page, 'ping-by-name', 'docker run -d --name container4 --network my_bridge_network nginx', /^[0-9a-f]{64}$/);

  const line = `command completed → "Passed" in the page: create-network ${create} ms, ping-by-name ${ping} ms (target ≤ 1000 ms; measured, not asserted)`;
  t.diagnostic(line);
  console.log(`[checks-live e2e] ${line}`);

  // The same lab in Korean: a failing exercise says why in Korean, a passed one says 통과.
  await page.goto(`${srv!.base}/lessons/${LESSON}?lang=ko`);
  await status(page, 'create-network').filter({ hasText: /^통과$/ }).waitFor({ timeout: 60_000 });
  await status(page, 'default-bridge').filter({ hasText: '이름이 default1인 컨테이너가 없습니다.' }).waitFor({ timeout: 60_000 });
});
