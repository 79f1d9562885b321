// Instructor-led workshop against the real stack (Next + runner, real sandboxes, Chromium): one
// instructor and three students in separate browser contexts. Create → reserved sandboxes →
// join → a pass reaches the dashboard within 2 s → shadowing shows what a student types (and
// the shadow cannot type) → students cannot open the dashboard or another student's terminal
// → a note reaches every student → CSV → ending removes every sandbox, results stay.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import WebSocket from 'ws';
import { launchChromium, startServer, type TestServer } from './harness.ts';
import { terminalText } from './page-terminal.ts';

let srv: TestServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

before(async () => {
  srv = await startServer({ name: 'workshop', labPool: '10.201.0.0/16', env: { DNL_MAX_PER_LEARNER: '1', DNL_MAX_SANDBOXES: '8' } });
  browser = await launchChromium();
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close().catch(() => {});
  await srv?.stop();
});

async function newPage(): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  contexts.push(ctx);
  return ctx.newPage();
}

/** Host containers of this server's sandboxes. */
function hostContainers(): string[] {
  return execFileSync('docker', ['ps', '-aq', '--filter', `label=dnl.instance=${srv.instance}`, '--filter', 'label=dnl.role=host'], { encoding: 'utf8' })
    .split('\n').filter(Boolean);
}

async function typeIn(page: Page, text: string): Promise<void> {
  await page.locator('.pane-lab .xterm').first().click();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

// The page-side global the terminal sets (this file is compiled without the DOM lib).
interface XtermLike { buffer: { active: { length: number; baseY: number; cursorY: number; getLine(i: number): { translateToString(trim?: boolean): string } | undefined } } }
declare const window: { term?: XtermLike };

/** The page's terminal: screen and scrollback. */
const studentScreen = terminalText;

async function waitPrompt(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const b = window.term?.buffer.active;
    return !!b && /[#$] ?$/.test((b.getLine(b.baseY + b.cursorY)?.translateToString(true) ?? '').trimEnd());
  }, undefined, { timeout: 120_000, polling: 100 });
}

test('a workshop: join, live dashboard, shadowing, isolation, note, CSV, end', { timeout: 600_000 }, async () => {
  const t0 = Date.now();
  const step = (what: string) => console.log(`[workshop e2e] ${((Date.now() - t0) / 1000).toFixed(1)} s: ${what}`);

  // ---- The instructor creates the workshop in the UI.
  const teacher = await newPage();
  await teacher.goto(`${srv.base}/workshop/new`);
  await teacher.getByTestId('create-title').fill('Bridges at 10');
  await teacher.locator('input[data-slug="05-bridge"]').check();
  await teacher.getByTestId('create-capacity').fill('3');
  await teacher.getByTestId('create-submit').click();
  // The first create may wait for the runner to finish loading the lessons (seconds on a busy machine).
  const code = (await teacher.getByTestId('created-code').innerText({ timeout: 120_000 })).trim();
  assert.match(code, /^[A-Z2-9]{3}-[A-Z2-9]{3}$/);
  const link = await teacher.getByTestId('created-link').inputValue();
  assert.match(link, /\/workshop\/teach#[\w-]{20,}$/);
  step(`created ${code}`);

  // The instructor link opens the dashboard (another context would work the same way).
  await teacher.goto(link);
  await teacher.getByTestId('dashboard').waitFor();
  assert.equal((await teacher.getByTestId('dash-code').innerText()).trim(), code);
  assert.equal(await teacher.getByTestId('dash-state').innerText(), 'Live');
  // Reserved sandboxes for the capacity come up before anyone joins.
  await teacher.getByTestId('dash-reserved').filter({ hasText: '3 ready' }).waitFor({ timeout: 300_000 });
  const reserved = hostContainers();
  assert.equal(reserved.length, 3);
  step('3 reserved sandboxes ready');

  // ---- Three students join with the code (typed in lower case, no dash) and a name.
  const names = ['Ada', 'Bea', 'Cy'];
  const students: Page[] = [];
  for (const name of names) {
    const p = await newPage();
    await p.goto(`${srv.base}/workshop`);
    await p.getByTestId('join-code').fill(code.replace('-', '').toLowerCase());
    await p.getByTestId('join-name').fill(name);
    await p.getByTestId('join-submit').click();
    await p.waitForURL(/\/lessons\/05-bridge/);
    students.push(p);
  }
  // A fourth is refused with a clear message.
  const late = await newPage();
  await late.goto(`${srv.base}/workshop`);
  await late.getByTestId('join-code').fill(code);
  await late.getByTestId('join-name').fill('Dee');
  await late.getByTestId('join-submit').click();
  assert.match(await late.getByTestId('join-error').innerText(), /full: all 3 places are taken/);

  for (const [i, p] of students.entries()) {
    await p.getByTestId('workshop-banner').filter({ hasText: `You are ${names[i]}` }).waitFor();
    await waitPrompt(p);
  }
  await teacher.locator('[data-testid^="student-"]').nth(2).waitFor();
  assert.deepEqual(await teacher.locator('tbody [data-testid^="student-"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name'))), names);
  // The reserved machines were handed over: no new sandbox was started for the students.
  assert.deepEqual(hostContainers().sort(), [...reserved].sort());
  step('3 students joined and got the reserved sandboxes');

  // ---- Ada passes an exercise; the dashboard shows it within 2 s of her page.
  const [ada, bea, cy] = students as [Page, Page, Page];
  const adaRow = teacher.locator('tbody tr[data-name="Ada"]');
  const sid = (await adaRow.getAttribute('data-testid'))!.replace('student-', '');
  const cell = teacher.getByTestId(`cell-${sid}-05-bridge/create-network`);
  assert.equal(await cell.getAttribute('data-passed'), 'no');
  const onPage = ada.locator('section#exercise-create-network[data-state="passed"]').waitFor({ timeout: 60_000 }).then(() => Date.now());
  const onDash = teacher.locator(`[data-testid="cell-${sid}-05-bridge/create-network"][data-passed="yes"]`).waitFor({ timeout: 60_000 }).then(() => Date.now());
  await typeIn(ada, 'docker network create my_bridge_network');
  const [pageAt, dashAt] = await Promise.all([onPage, onDash]);
  step(`pass on Ada's page → dashboard: ${dashAt - pageAt} ms`);
  assert.ok(dashAt - pageAt <= 2000, `the dashboard showed the pass ${dashAt - pageAt} ms after the student's page`);
  assert.match(await teacher.getByTestId('completion-05-bridge/create-network').innerText(), /1\/3/);

  // ---- Shadowing: the instructor watches Bea; what she types appears; the shadow cannot type.
  await teacher.locator('tbody tr[data-name="Bea"]').getByTestId('watch').click();
  const shadow = teacher.getByTestId('shadow');
  await shadow.locator('.xterm-rows').waitFor({ timeout: 60_000 });
  await shadow.getByText('connected (read-only)').waitFor({ timeout: 60_000 }).catch(() => undefined);
  await typeIn(bea, 'echo bea-typed-$((6*7))');
  await shadow.locator('.xterm-rows').filter({ hasText: 'bea-typed-42' }).waitFor({ timeout: 20_000 });
  await shadow.locator('.xterm').click();
  await teacher.keyboard.type('echo intruder-was-here');
  await teacher.keyboard.press('Enter');
  await typeIn(bea, 'echo after-$((1+1))');
  await shadow.locator('.xterm-rows').filter({ hasText: 'after-2' }).waitFor({ timeout: 20_000 });
  assert.ok(!(await studentScreen(bea)).includes('intruder'), 'keys typed in a shadow view never reach the student');
  step('shadowing works, read-only');

  // ---- Isolation: students cannot open the dashboard nor another student's terminal.
  const wid = await workshopId(teacher);
  const snap = await teacher.evaluate(async (id) => (await fetch(`/runner/api/workshops/${id}/dashboard`)).json(), wid);
  const cySandbox = (snap as { students: Array<{ name: string; sandbox: { id: string } | null }> }).students.find((s) => s.name === 'Cy')!.sandbox!.id;
  for (const p of [ada, bea]) {
    const r = await p.evaluate(async ([id, sbx]) => {
      const dash = await fetch(`/runner/api/workshops/${id}/dashboard`);
      const csv = await fetch(`/runner/api/workshops/${id}/results.csv`);
      const rw = await fetch('/runner/api/terminal-token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sandboxId: sbx, host: 'node1' }) });
      const ro = await fetch('/runner/api/terminal-token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sandboxId: sbx, host: 'node1', mode: 'ro' }) });
      const teach = await fetch('/runner/api/workshops/teach', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: 'guessed-key-guessed-key-guessed' }) });
      return [dash.status, csv.status, rw.status, ro.status, teach.status];
    }, [wid, cySandbox] as const);
    assert.deepEqual(r, [404, 404, 404, 404, 404]);
  }
  // The dashboard page without the key, and the dashboard socket with a student's cookie.
  await ada.goto(`${srv.base}/workshop/teach`);
  assert.match(await ada.getByTestId('dash-error').innerText(), /instructor link/);
  const adaCookie = (await ada.context().cookies()).find((c) => c.name === 'dnl_learner')!;
  const wsStatus = await new Promise<number>((resolve) => {
    const s = new WebSocket(`${srv.base.replace('http', 'ws')}/runner/ws/workshop?role=instructor&workshop=${wid}`, { headers: { cookie: `dnl_learner=${adaCookie.value}` } });
    s.on('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0));
    s.on('open', () => { s.close(); resolve(101); });
    s.on('error', () => resolve(-1));
  });
  assert.equal(wsStatus, 404);
  await ada.goBack();
  step('students are kept out');

  // ---- A note reaches every student's page.
  await teacher.getByTestId('note-input').fill('Break until 11:00');
  await teacher.getByTestId('note-send').click();
  for (const p of [bea, cy]) await p.getByTestId('workshop-note').filter({ hasText: 'Break until 11:00' }).waitFor({ timeout: 10_000 });

  // ---- CSV export (as the instructor's browser downloads it).
  const csv = await teacher.evaluate(async (id) => (await fetch(`/runner/api/workshops/${id}/results.csv`)).text(), wid);
  assert.match(csv, /student,joined_at,lesson,exercise,passed/);
  assert.match(csv, /\r\nAda,[^,]+,05-bridge,create-network,yes,/);
  assert.match(csv, /\r\nCy,[^,]+,05-bridge,create-network,no,/);

  // ---- End: every sandbox goes, students are told, results stay.
  await teacher.getByTestId('end').click();
  await teacher.getByTestId('end-confirm').click();
  await teacher.locator('[data-testid="dashboard"][data-state="ended"]').waitFor({ timeout: 60_000 });
  const deadline = Date.now() + 60_000;
  while (hostContainers().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
  assert.deepEqual(hostContainers(), [], 'every sandbox of the workshop is removed');
  await cy.getByTestId('workshop-ended').waitFor({ timeout: 10_000 });
  assert.equal(await teacher.getByTestId(`cell-${sid}-05-bridge/create-network`).getAttribute('data-passed'), 'yes', 'results stay');
  step('ended: no sandbox left');
});

async function workshopId(teacher: Page): Promise<string> {
  // The dashboard's CSV link carries the workshop id.
  const href = await teacher.getByTestId('export-csv').getAttribute('href');
  return /workshops\/([^/]+)\/results\.csv/.exec(href ?? '')![1]!;
}
