// How a terminal session's shell runs. The provider gives an argv (`docker exec -it <host> bash
// -l` for the local provider). Two ways to run it, same behaviour for the session:
//
// - nodePty: node-pty spawns the argv as given. Works for any provider command.
// - dockerApiExec: when the argv is a plain `docker exec -it`, the same exec is made through the
//   Engine API (dockerode, hijacked TTY stream) instead of a `docker` CLI process per terminal.
//   Why: each CLI process costs ~25 MiB RSS on the server (the whole Go client) and adds a pty +
//   process hop to every keystroke; the API stream costs a socket. The argv stays the contract,
//   so a provider whose command is not a docker exec simply gets node-pty.
import Docker from 'dockerode';
import * as nodePtyLib from 'node-pty';
import type { Duplex } from 'node:stream';

export interface PtyProcess {
  /** Host pid of the shell's process (0 until known). */
  readonly pid: number;
  readonly cols: number;
  readonly rows: number;
  onData(cb: (data: Buffer) => void): void;
  onExit(cb: (e: { exitCode: number | null; signal?: number }) => void): void;
  write(data: Buffer): void;
  resize(cols: number, rows: number): void;
  pause(): void;
  resume(): void;
  kill(signal?: NodeJS.Signals): void;
}

export interface SpawnRequest { file: string; args: string[]; cols: number; rows: number; env: Record<string, string> }

export function nodePty(req: SpawnRequest): PtyProcess {
  const p = nodePtyLib.spawn(req.file, req.args, { name: req.env.TERM ?? 'xterm-256color', cols: req.cols, rows: req.rows, cwd: '/', env: req.env, encoding: null });
  return {
    get pid() { return p.pid; },
    get cols() { return p.cols; },
    get rows() { return p.rows; },
    onData(cb) { p.onData((d: string | Buffer) => cb(typeof d === 'string' ? Buffer.from(d) : d)); },
    onExit(cb) { p.onExit(({ exitCode, signal }) => cb({ exitCode, signal })); },
    write(d) { p.write(d); },
    resize(c, r) { p.resize(c, r); },
    pause() { p.pause(); },
    resume() { p.resume(); },
    kill(sig) { p.kill(sig); },
  };
}

export interface DockerExecSpec { socketPath: string; container: string; env: string[]; user?: string; workdir?: string; cmd: string[] }

/** Recognises `docker [-H unix://S] exec -it [-e K=V] [-u U] [-w D] CONTAINER CMD…`; anything else → undefined. */
export function parseDockerExec(file: string, args: string[], defaultSocket: string): DockerExecSpec | undefined {
  if (!/(^|\/)docker$/.test(file)) return undefined;
  let i = 0;
  let socketPath = defaultSocket;
  if (args[i] === '-H' || args[i] === '--host') {
    const h = args[i + 1] ?? '';
    if (!h.startsWith('unix://')) return undefined;
    socketPath = h.slice('unix://'.length);
    i += 2;
  }
  if (args[i++] !== 'exec') return undefined;
  const spec: DockerExecSpec = { socketPath, container: '', env: [], cmd: [] };
  let tty = false, interactive = false;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('-')) break;
    if (a === '-it' || a === '-ti') { tty = interactive = true; continue; }
    if (a === '-t' || a === '--tty') { tty = true; continue; }
    if (a === '-i' || a === '--interactive') { interactive = true; continue; }
    const val = args[i + 1];
    if (val === undefined) return undefined;
    if (a === '-e' || a === '--env') spec.env.push(val);
    else if (a === '-u' || a === '--user') spec.user = val;
    else if (a === '-w' || a === '--workdir') spec.workdir = val;
    else return undefined; // a flag we do not model: let the CLI run it
    i++;
  }
  spec.container = args[i++] ?? '';
  spec.cmd = args.slice(i);
  if (!tty || !interactive || !spec.container || spec.cmd.length === 0) return undefined;
  return spec;
}

const clients = new Map<string, Docker>();

/** Runs a docker exec through the Engine API with a TTY; resolves once the stream is attached. */
export async function dockerApiExec(spec: DockerExecSpec, size: { cols: number; rows: number }): Promise<PtyProcess> {
  let docker = clients.get(spec.socketPath);
  if (!docker) { docker = new Docker({ socketPath: spec.socketPath }); clients.set(spec.socketPath, docker); }
  const exec = await docker.getContainer(spec.container).exec({
    Cmd: spec.cmd, Env: spec.env, User: spec.user, WorkingDir: spec.workdir,
    AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: true,
  });
  const stream = (await exec.start({ hijack: true, stdin: true, Tty: true })) as Duplex;
  let cols = size.cols, rows = size.rows, pid = 0, exited = false;
  const dataCbs: Array<(d: Buffer) => void> = [];
  const exitCbs: Array<(e: { exitCode: number | null; signal?: number }) => void> = [];
  stream.on('data', (d: Buffer) => { for (const cb of dataCbs) cb(d); });
  const finish = () => {
    if (exited) return;
    exited = true;
    exec.inspect().then((i) => i.ExitCode, () => null).then((code) => { for (const cb of exitCbs) cb({ exitCode: code }); });
  };
  stream.on('end', finish);
  stream.on('close', finish);
  stream.on('error', finish);
  // Resizes go out one at a time, latest size wins: two in flight could be applied out of order
  // by the engine (a prewarmed 80x24 landing after the browser's real size). The first one may
  // race the exec's start and fail; retry it briefly, as the docker CLI does.
  // Input typed after a resize must see the new size (`stty size`, a full-screen program
  // started right after the window changed): the resize is an API call while input goes
  // straight down the stream, so input waits while a resize is on its way.
  let sent = '', inflight = false;
  let held: Buffer[] = [];
  const pushSize = async (): Promise<void> => {
    if (inflight || exited) return;
    inflight = true;
    try {
      for (let attempt = 0; sent !== `${cols}x${rows}` && !exited; attempt++) {
        const want = `${cols}x${rows}`;
        try { await exec.resize({ w: cols, h: rows }); sent = want; } catch {
          if (attempt >= 10) break;
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    } finally {
      inflight = false;
      const queued = held; held = [];
      if (!exited) for (const d of queued) stream.write(d);
    }
  };
  const resize = (c: number, r: number) => { cols = c; rows = r; void pushSize(); };
  resize(cols, rows);
  exec.inspect().then((i) => { pid = i.Pid ?? 0; }, () => { /* ended already */ });
  return {
    get pid() { return pid; },
    get cols() { return cols; },
    get rows() { return rows; },
    onData(cb) { dataCbs.push(cb); },
    onExit(cb) { exitCbs.push(cb); },
    write(d) {
      if (exited) return;
      if (!inflight) { stream.write(d); return; }
      // Never hold input for long, even if the engine is slow to answer a resize.
      if (held.length === 0) setTimeout(() => { const q = held; held = []; if (!exited) for (const x of q) stream.write(x); }, 500).unref();
      held.push(d);
    },
    resize,
    pause() { stream.pause(); },
    resume() { stream.resume(); },
    kill(sig = 'SIGHUP') {
      // Closing the stream alone leaves an exec'd shell running inside the container (the
      // engine does not signal it), so signal the process itself.
      // (The engine is local: its socket is a unix path on this machine, so the pid is ours to signal.)
      if (pid > 0) { try { process.kill(pid, sig); } catch { /* already gone */ } }
      stream.destroy();
    },
  };
}
