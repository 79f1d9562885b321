// One live capture: tcpdump inside a learner's sandbox host, parsed here into rows, rate-limited
// and batched to the page. Bounded three ways, by tcpdump itself so the bounds hold even if the
// runner dies mid-capture: `timeout` (duration), `-c` (packets), and the snap length (headers
// only; we never pass -X/-A, and rows carry no payload). The page additionally sees at most
// CAPTURE_LIMITS.rowsPerSecond rows a second; the rest are counted ("N not shown"), so a flood
// (`ping -f`) costs the page nothing and the terminal keeps its share of the machine.
// Stopping kills the process in the host (pkill by a per-capture marker) and checks it is gone.
import Docker from 'dockerode';
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { CAPTURE_LIMITS, type LabViewServerMessage, type PacketRow } from '../../protocol/labview.ts';
import type { Provider } from '../provider/types.ts';
import { parseDockerExec } from '../terminal/pty.ts';
import { TcpdumpParser, splitAddr } from './parse.ts';
import type { Names } from './state.ts';

export interface CaptureSpec {
  sandbox: string;
  host: string;
  /** Interface inside the host (or inside the container's namespace when netnsPid is set). */
  iface: string;
  /** Run tcpdump in this process's network namespace (an inner container), via nsenter. */
  netnsPid?: number;
  filter: string;
  /** Decode UDP matched by the filter as DNS (the embedded DNS answers from a DNAT'd port). */
  forceDns?: boolean;
  maxPackets: number;
  maxSeconds: number;
  preset?: string;
}

export interface CaptureDeps {
  provider: Provider;
  dockerSocket: string;
  names: () => Names | undefined;
  send: (m: LabViewServerMessage) => void;
  /** Bytes the page has not taken yet (WebSocket bufferedAmount): above 1 MB rows are skipped. */
  backlog?: () => number;
  rowsPerSecond?: number;
  flushMs?: number;
  log?: (m: string) => void;
}

/** The argv run in the host: no shell sees the filter; the marker names the process for pkill. */
export function captureArgv(spec: CaptureSpec, marker: string): string[] {
  const tcpdump = ['tcpdump', '-l', '-n', '-e', '-tt', '-s', '262', '-c', String(spec.maxPackets), '-i', spec.iface];
  if (spec.forceDns) tcpdump.push('-T', 'domain');
  if (spec.filter.trim()) tcpdump.push(spec.filter.trim());
  const ns = spec.netnsPid ? ['nsenter', '-t', String(spec.netnsPid), '-n'] : [];
  // exec -a: the `timeout` process carries the marker as its name, so `pkill -f ^marker` finds it
  // (and timeout passes SIGINT on to tcpdump, which then prints its counts and exits).
  return ['bash', '-c', 'exec -a "$0" timeout -s INT -k 3 "$@"', marker, String(spec.maxSeconds), ...ns, ...tcpdump];
}

export class Capture {
  readonly id = randomBytes(5).toString('hex');
  readonly marker = `dnl-capture-${this.id}`;
  private readonly parser: TcpdumpParser;
  private queue: PacketRow[] = [];
  private skipped = 0;
  private seen = 0;
  private shown = 0;
  private tokens: number;
  private lastRefill = Date.now();
  private flushTimer: NodeJS.Timeout | undefined;
  private stream: NodeJS.ReadWriteStream | undefined;
  private stopReason: string | undefined;
  private stderr = '';
  private ended: Promise<void> | undefined;
  private endResolve: (() => void) | undefined;
  private readonly rps: number;
  private readonly log: (m: string) => void;

  constructor(readonly spec: CaptureSpec, private readonly deps: CaptureDeps) {
    this.rps = deps.rowsPerSecond ?? CAPTURE_LIMITS.rowsPerSecond;
    this.tokens = this.rps * 2;
    this.log = deps.log ?? ((m) => console.log(`[labview] ${m}`));
    this.parser = new TcpdumpParser({ iface: spec.iface, onRow: (r) => this.row(r) });
  }

  get running(): boolean { return this.ended !== undefined && this.endResolve !== undefined; }

  private message(state: 'running' | 'stopped', reason?: string): LabViewServerMessage {
    return { type: 'capture', state, host: this.spec.host, iface: this.spec.netnsPid ? `${this.spec.iface} (in container)` : this.spec.iface, filter: this.spec.filter, ...(this.spec.preset ? { preset: this.spec.preset } : {}), ...(reason ? { reason } : {}), packets: this.seen, shown: this.shown };
  }

  /** Starts tcpdump; resolves once the exec stream is attached. Rejects with a learner-facing message. */
  async start(): Promise<void> {
    const cmd = this.deps.provider.terminalCommand(this.spec.sandbox, this.spec.host);
    const target = parseDockerExec(cmd.file, cmd.args, this.deps.dockerSocket);
    if (!target) throw new Error('Packet capture needs a Docker-based provider (its hosts are containers).');
    const docker = new Docker({ socketPath: target.socketPath });
    const ex = await docker.getContainer(target.container).exec({ Cmd: captureArgv(this.spec, this.marker), AttachStdout: true, AttachStderr: true, Tty: false });
    const stream = await ex.start({ hijack: true, stdin: false });
    this.stream = stream;
    const out = new PassThrough(), err = new PassThrough();
    docker.modem.demuxStream(stream, out, err);
    out.setEncoding('utf8');
    err.setEncoding('utf8');
    out.on('data', (s: string) => this.parser.push(s));
    err.on('data', (s: string) => { if (this.stderr.length < 4000) this.stderr += s; });
    this.ended = new Promise<void>((resolve) => { this.endResolve = resolve; });
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      this.parser.flush();
      this.flush();
      if (this.flushTimer) clearInterval(this.flushTimer);
      const reason = this.stopReason ?? this.naturalEnd();
      this.deps.send(this.message('stopped', reason));
      const r = this.endResolve;
      this.endResolve = undefined;
      r?.();
    };
    stream.on('end', finish);
    stream.on('close', finish);
    stream.on('error', finish);
    this.flushTimer = setInterval(() => {
      if (this.parser.waiting) this.parser.flush();
      this.flush();
    }, this.deps.flushMs ?? 100);
    this.deps.send(this.message('running'));
  }

  /** Why tcpdump ended on its own, in the learner's words. */
  private naturalEnd(): string {
    const err = this.stderr.split('\n').map((l) => l.trim()).filter((l) => l && !/^(tcpdump: verbose output suppressed|listening on|tcpdump: data link type|\d+ packets? (captured|received|dropped))/.test(l));
    const problem = err.find((l) => /^tcpdump: /.test(l) || /nsenter|timeout:/.test(l));
    if (problem) {
      if (/syntax error|parse error|illegal|unknown/i.test(problem)) return `The filter was not understood by tcpdump: ${problem.replace(/^tcpdump: /, '')}`;
      if (/No such device|doesn't exist|SIOCGIFHWADDR/i.test(problem)) return `There is no interface ${this.spec.iface} on ${this.spec.host}.`;
      return problem;
    }
    if (this.seen >= this.spec.maxPackets) return `Stopped after ${this.spec.maxPackets} packets (the limit).`;
    return `Stopped after ${this.spec.maxSeconds} s (the limit).`;
  }

  private row(r: Omit<PacketRow, 'n'>): void {
    this.seen++;
    const now = Date.now();
    this.tokens = Math.min(this.rps * 2, this.tokens + ((now - this.lastRefill) / 1000) * this.rps);
    this.lastRefill = now;
    if (this.tokens < 1 || (this.deps.backlog?.() ?? 0) > 1 << 20 || this.queue.length > 500) { this.skipped++; return; }
    this.tokens--;
    const names = this.deps.names();
    const row: PacketRow = { n: this.seen, ...r };
    if (names) {
      const sn = row.src ? names.byIp.get(splitAddr(row.src).ip) : undefined;
      const dn = row.dst ? names.byIp.get(splitAddr(row.dst).ip) : undefined;
      const sm = row.srcMac ? names.byMac.get(row.srcMac) : undefined;
      const dm = row.dstMac ? names.byMac.get(row.dstMac) : undefined;
      if (sn ?? sm) row.srcName = sn ?? sm;
      if (dn ?? dm) row.dstName = dn ?? dm;
      else if (row.dstMac === 'ff:ff:ff:ff:ff:ff') row.dstName = 'broadcast';
    }
    this.queue.push(row);
  }

  private flush(): void {
    if (this.queue.length) {
      this.shown += this.queue.length;
      this.deps.send({ type: 'packets', rows: this.queue });
      this.queue = [];
    }
    if (this.skipped) {
      this.deps.send({ type: 'skipped', count: this.skipped });
      this.skipped = 0;
    }
  }

  /** Ends the capture: signals tcpdump in the host, waits for its stream, makes sure nothing is left. */
  async stop(reason = 'Stopped.'): Promise<void> {
    if (!this.ended) return;
    this.stopReason ??= reason;
    const { provider } = this.deps;
    const { sandbox, host } = this.spec;
    if (this.endResolve) {
      await provider.exec(sandbox, host, `pkill -INT -f '^${this.marker} ' || true`, { timeoutMs: 5000 }).catch(() => undefined);
      const t = setTimeout(() => this.stream && (this.stream as unknown as { destroy(): void }).destroy(), 5000);
      await this.ended;
      clearTimeout(t);
    }
    // Whatever happened, no capture of ours may outlive the view.
    const left = await provider.exec(sandbox, host, `pgrep -f '^${this.marker} ' >/dev/null && { pkill -KILL -f '^${this.marker} '; echo killed; } || true`, { timeoutMs: 5000 }).catch(() => undefined);
    if (left?.stdout.includes('killed')) this.log(`capture ${this.marker} on ${sandbox}/${host} needed SIGKILL`);
  }

  /** Resolves when tcpdump has ended (by itself or stopped). */
  whenEnded(): Promise<void> { return this.ended ?? Promise.resolve(); }
}
