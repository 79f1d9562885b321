// Small process helpers for the image builder: run a command with its output in a log file,
// and wrap a build step so the operator sees it start, keep going and finish.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';

export class StepError extends Error {
  constructor(message: string, readonly log?: string) { super(message); this.name = 'StepError'; }
}

export interface RunResult { code: number; tail: string }

/** Runs a command; stdout+stderr go to `log` (appended). Resolves with the exit code and the last lines. */
export function runLogged(cmd: string, args: string[], log: string, opts: { signal?: AbortSignal; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const fd = fs.openSync(log, 'a');
    fs.writeSync(fd, `\n$ ${cmd} ${args.join(' ')}\n`);
    let child: ChildProcess;
    try {
      child = spawn(cmd, args, { stdio: ['ignore', fd, fd], signal: opts.signal, env: opts.env ?? process.env });
    } catch (err) {
      fs.closeSync(fd);
      reject(err);
      return;
    }
    child.on('error', (err) => { fs.closeSync(fd); reject(new StepError(`${cmd} could not run: ${err.message}`, log)); });
    child.on('close', async (code, sig) => {
      fs.closeSync(fd);
      resolve({ code: code ?? (sig ? 128 : 1), tail: await tailOf(log, 12) });
    });
  });
}

/** Last `n` non-empty lines of a file ('' when unreadable). */
export async function tailOf(file: string, n: number): Promise<string> {
  try {
    const text = await fsp.readFile(file, 'utf8');
    return text.split('\n').filter((l) => l.trim() !== '').slice(-n).join('\n');
  } catch {
    return '';
  }
}

/** Waits for a child process to exit; rejects with its stderr when it fails. */
export function waitChild(child: ChildProcess, what: string): Promise<void> {
  let err = '';
  child.stderr?.on('data', (b: Buffer) => { if (err.length < 4000) err += b.toString(); });
  return new Promise((resolve, reject) => {
    child.on('error', (e) => reject(new StepError(`${what} could not run: ${e.message}`)));
    child.on('close', (code) => code === 0 ? resolve() : reject(new StepError(`${what} failed (exit ${code}): ${err.trim()}`)));
  });
}

export type Progress = (line: string) => void;

const HEARTBEAT_MS = 15_000;

/**
 * Runs one build step with visible progress:
 *   [images] host: debootstrap …
 *   [images] host: debootstrap … 15s          (every 15 s while it runs)
 *   [images] host: debootstrap done 42s
 */
export async function step<T>(progress: Progress, image: string, name: string, fn: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  const secs = () => `${Math.round((Date.now() - t0) / 1000)}s`;
  progress(`[images] ${image}: ${name} …`);
  const timer = setInterval(() => progress(`[images] ${image}: ${name} … ${secs()}`), HEARTBEAT_MS);
  timer.unref();
  try {
    const out = await fn();
    progress(`[images] ${image}: ${name} done ${secs()}`);
    return out;
  } catch (err) {
    progress(`[images] ${image}: ${name} FAILED after ${secs()}`);
    throw err;
  } finally {
    clearInterval(timer);
  }
}

/** A counting semaphore: at most `n` holders at once. */
export function semaphore(n: number) {
  let free = n;
  const queue: Array<() => void> = [];
  return async function withSlot<T>(fn: () => Promise<T>): Promise<T> {
    if (free > 0) free--;
    else await new Promise<void>((r) => queue.push(r));
    try {
      return await fn();
    } finally {
      const next = queue.shift();
      if (next) next();
      else free++;
    }
  };
}
