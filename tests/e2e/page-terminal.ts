/// <reference lib="dom" />
// Reading the page's terminal from a test: xterm.js draws on a canvas (WebGL), so its text is in
// the buffer of the focused terminal the page exposes as window.term, not in the DOM.
import type { Page } from 'playwright-core';

interface XtermLike { buffer: { active: { length: number; baseY: number; cursorY: number; getLine(i: number): { translateToString(trim?: boolean): string } | undefined } } }

/** Screen and scrollback of the focused terminal. */
export function terminalText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const b = (window as unknown as { term?: XtermLike }).term?.buffer.active;
    if (!b) return '';
    const out: string[] = [];
    for (let i = 0; i < b.length; i++) out.push(b.getLine(i)?.translateToString(true) ?? '');
    return out.join('\n');
  });
}

/** Waits until the focused terminal's cursor line ends in a shell prompt. */
export async function waitForPrompt(page: Page, timeout = 240_000): Promise<void> {
  await page.waitForFunction(() => {
    const b = (window as unknown as { term?: XtermLike }).term?.buffer.active;
    return Boolean(b && /[#$] ?$/.test((b.getLine(b.baseY + b.cursorY)?.translateToString(true) ?? '').trimEnd()));
  }, undefined, { timeout, polling: 100 });
}
