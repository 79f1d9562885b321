// Where a sandbox host's start-up time goes, read back from what the host already writes:
// dnl-init's own log lines (container stdout, timestamped by the engine) and the inner
// containerd's and dockerd's logs (/var/log/containerd.log and dockerd.log in the container's
// writable layer, read from the outer host, so tracing costs the sandbox nothing). Used by the
// bench (`bench/sandbox.ts --phases`) and handy for an operator asking why starts are slow.
// Wall-clock marks, epoch ms, same clock as the runner.
import fs from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import { demuxBuffer } from './local.ts';

export interface HostMark { phase: string; at: number }

/** dnl-init messages we time (a prefix of the text after `dnl-init +Nms: `) → phase name. */
const INIT_PHASES: Array<[RegExp, string]> = [
  [/^starting dockerd/, 'init:dockerd-exec'],
  [/^dockerd answers/, 'init:answers'],
  [/^ready$/, 'init:ready'],
];

/** Inner containerd and dockerd log messages → phase name (first occurrence wins). */
const DOCKERD_PHASES: Array<[RegExp, string]> = [
  [/msg="Starting up"/, 'dockerd:starting'],
  [/msg="containerd successfully booted/, 'containerd:up'],
  [/msg="Loading containers: start\."/, 'dockerd:loading'],
  [/msg="Loading containers: done\."/, 'dockerd:loaded'],
  [/msg="Daemon has completed initialization"/, 'dockerd:initialized'],
  [/msg="API listen on \/run\/dnl\/docker\.sock"/, 'dockerd:api'],
];

/** Parses `docker logs --timestamps` output of dnl-init; the start is derived from the +ms offsets. */
export function parseInitLog(text: string): HostMark[] {
  const steps: Array<{ phase: string; offset: number }> = [];
  let begin: number | undefined;
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+dnl-init \+(\d+)ms: (.*)$/.exec(line.trim());
    if (!m) continue;
    const at = Date.parse(m[1]!);
    if (!Number.isFinite(at)) continue;
    // The engine stamps a line when it reads it (a little late, more so on a busy machine); the
    // smallest (stamp − offset) is the best estimate of when dnl-init started, and its own
    // offsets then place every step exactly.
    const offset = Number(m[2]);
    begin = begin === undefined ? at - offset : Math.min(begin, at - offset);
    const phase = INIT_PHASES.find(([re]) => re.test(m[3]!))?.[1];
    if (phase && !steps.some((x) => x.phase === phase)) steps.push({ phase, offset });
  }
  if (begin === undefined) return [];
  const b0 = begin;
  return [{ phase: 'init:begin', at: b0 }, ...steps.map((x) => ({ phase: x.phase, at: b0 + x.offset }))];
}

/** Parses dockerd's logrus lines (`time="2026-…Z" level=info msg="…"`). */
export function parseDockerdLog(text: string): HostMark[] {
  const out: HostMark[] = [];
  for (const line of text.split('\n')) {
    const phase = DOCKERD_PHASES.find(([re]) => re.test(line))?.[1];
    if (!phase || out.some((x) => x.phase === phase)) continue;
    const t = /time="([^"]+)"/.exec(line)?.[1];
    const at = t ? Date.parse(t) : NaN;
    if (Number.isFinite(at)) out.push({ phase, at });
  }
  return out;
}

/** Every mark of one host container's start, sorted by time (engine created/started included). */
export async function hostStartupMarks(docker: Docker, containerId: string): Promise<HostMark[]> {
  const c = docker.getContainer(containerId);
  const st = await c.inspect();
  const marks: HostMark[] = [
    { phase: 'engine:created', at: Date.parse(st.Created) },
    { phase: 'engine:started', at: Date.parse(st.State.StartedAt) },
  ];
  const logs = demuxBuffer(await c.logs({ stdout: true, stderr: true, timestamps: true }) as unknown as Buffer);
  marks.push(...parseInitLog(logs));
  const upper = (st.GraphDriver?.Data as Record<string, string> | undefined)?.UpperDir;
  if (upper) {
    for (const log of ['var/log/containerd.log', 'var/log/dockerd.log']) {
      try { marks.push(...parseDockerdLog(fs.readFileSync(path.join(upper, log), 'utf8'))); } catch { /* not there (other storage driver) */ }
    }
  }
  return marks.filter((m) => Number.isFinite(m.at)).sort((a, b) => a.at - b.at);
}
