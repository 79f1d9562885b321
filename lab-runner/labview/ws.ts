// /runner/ws/labview?sandbox=<id>: the lesson page's lab views. On connect the page gets the
// sandbox's published ports (and again whenever they change); it may ask for capture targets of
// a host, start one capture (tcpdump in the host) and stop it. One capture per connection and a
// few per sandbox; closing the socket stops the capture. Only the sandbox's owner (or a viewer
// canView allows) connects; someone else's sandbox answers like a missing one.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  CAPTURE_LIMITS, LABVIEW_WS_PATH, LabViewClientMessageSchema, SANDBOX_RE,
  type CaptureTarget, type LabViewServerMessage,
} from '../../protocol/labview.ts';
import { readLearner } from '../api/learner.ts';
import type { Provider } from '../provider/types.ts';
import { originAllowed } from '../terminal/ws.ts';
import { Capture, type CaptureSpec } from './capture.ts';
import type { LabDirectory, LabStates } from './state.ts';

export const MAX_CAPTURES_PER_SANDBOX = 2;

export interface LabViewWsDeps {
  secret: string;
  provider: Provider;
  dockerSocket: string;
  sandboxes: LabDirectory & { touch?(id: string): unknown };
  states: LabStates;
  canView?(learnerId: string, sandboxId: string): boolean | Promise<boolean>;
  log?: (m: string) => void;
}

export class TargetError extends Error {}

/** Where tcpdump listens for a learner's choice; every name is checked against the host's real state. */
export async function resolveTarget(engine: Docker, target: CaptureTarget, filter: string): Promise<Pick<CaptureSpec, 'iface' | 'netnsPid' | 'filter' | 'forceDns'>> {
  if (target.kind === 'interface') return { iface: target.name, filter };
  if (target.kind === 'container') {
    let c: { State?: { Running?: boolean; Pid?: number } };
    try { c = await engine.getContainer(target.name).inspect(); } catch {
      throw new TargetError(`There is no container ${target.name} on this host yet. Start it, then press Start again.`);
    }
    if (!c.State?.Running || !c.State.Pid) throw new TargetError(`Container ${target.name} is not running.`);
    return { iface: 'any', netnsPid: c.State.Pid, filter, forceDns: filter.includes('127.0.0.11') };
  }
  let n: { Id: string; Name: string; Driver: string; Options?: Record<string, string> };
  try { n = await engine.getNetwork(target.name).inspect(); } catch {
    throw new TargetError(`There is no network ${target.name} on this host yet. Create it, then press Start again.`);
  }
  switch (n.Driver) {
    case 'bridge': return { iface: n.Options?.['com.docker.network.bridge.name'] ?? (n.Name === 'bridge' ? 'docker0' : `br-${n.Id.slice(0, 12)}`), filter };
    // The overlay's own interfaces live in a hidden namespace; what crosses hosts is its VXLAN on eth0.
    case 'overlay': return { iface: 'eth0', filter: filter.trim() ? filter : 'udp port 4789' };
    case 'macvlan': case 'ipvlan': return { iface: n.Options?.parent ?? 'eth0', filter };
    case 'host': return { iface: 'any', filter };
    case 'null': throw new TargetError('The none network has no interface to watch: its containers only have lo.');
    default: throw new TargetError(`Watching a ${n.Driver} network is not supported; pick an interface instead.`);
  }
}

export function createLabViewWs(deps: LabViewWsDeps) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 8192, perMessageDeflate: false });
  const log = deps.log ?? ((m: string) => console.log(`[labview] ${m}`));
  const perSandbox = new Map<string, Set<Capture>>();

  const refuse = (socket: Duplex, status: number, text: string): true => {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${text}`);
    return true;
  };

  function connected(ws: WebSocket, sandbox: string): void {
    const send = (m: LabViewServerMessage): void => { if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m)); };
    const state = deps.states.acquire(sandbox);
    const pushPorts = () => send({ type: 'ports', ports: state.ports });
    const off = state.subscribe(pushPorts);
    // A reset gives the sandbox fresh hosts: the page reconnects (4000) and follows the new ones;
    // a sandbox that is gone ends the socket for good (4404, as /runner/ws/lab does).
    const offClose = state.onClose((why) => {
      if (why === 'gone') { send({ type: 'error', message: 'This lab no longer exists.' }); ws.close(4404, 'sandbox gone'); }
      else if (why === 'reset') ws.close(4000, 'sandbox reset');
    });
    void state.start().then(pushPorts);
    let capture: Capture | undefined;
    let starting = false;
    let closed = false;

    const stopCapture = async (reason: string) => {
      const c = capture;
      capture = undefined;
      if (!c) return;
      try { await c.stop(reason); } finally { perSandbox.get(sandbox)?.delete(c); }
    };

    ws.on('close', () => {
      closed = true;
      off();
      offClose();
      deps.states.release(sandbox, state);
      void stopCapture('The page closed.').catch((err: unknown) => log(`stop failed: ${String(err)}`));
    });
    ws.on('error', () => { /* close follows */ });

    ws.on('message', (data, isBinary) => {
      let msg: unknown;
      try { msg = isBinary ? undefined : JSON.parse(data.toString()); } catch { msg = undefined; }
      const parsed = LabViewClientMessageSchema.safeParse(msg);
      if (!parsed.success) {
        send({ type: 'error', message: `Not understood: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('; ')}` });
        return;
      }
      const m = parsed.data;
      deps.sandboxes.touch?.(sandbox);
      const hostOk = (h: string) => deps.sandboxes.info(sandbox)?.hosts.some((x) => x.name === h) ?? false;
      if (m.type === 'stop') { void stopCapture('Stopped by you.'); return; }
      if (m.type === 'targets') {
        if (!hostOk(m.host)) { send({ type: 'error', message: `Your lab has no host ${m.host}.` }); return; }
        void listTargets(sandbox, m.host).then((t) => send({ type: 'targets', ...t }), (err: unknown) => send({ type: 'error', message: `Could not list what ${m.host} has: ${String(err)}` }));
        return;
      }
      // start
      if (starting) { send({ type: 'error', message: 'A capture is already starting.' }); return; }
      if (!hostOk(m.host)) { send({ type: 'error', message: `Your lab has no host ${m.host}.` }); return; }
      starting = true;
      void (async () => {
        try {
          await stopCapture('Replaced by a new capture.');
          const running = perSandbox.get(sandbox) ?? new Set<Capture>();
          perSandbox.set(sandbox, running);
          if (running.size >= MAX_CAPTURES_PER_SANDBOX) throw new TargetError(`At most ${MAX_CAPTURES_PER_SANDBOX} captures run at once in one lab; stop one in another tab first.`);
          const where = await resolveTarget(deps.provider.engine(sandbox, m.host), m.target, m.filter);
          const c = new Capture({
            sandbox, host: m.host, ...where,
            maxPackets: m.maxPackets ?? CAPTURE_LIMITS.defaultPackets,
            maxSeconds: m.maxSeconds ?? CAPTURE_LIMITS.defaultSeconds,
            ...(m.preset ? { preset: m.preset } : {}),
          }, { provider: deps.provider, dockerSocket: deps.dockerSocket, names: () => deps.states.names(sandbox), send, backlog: () => ws.bufferedAmount, log });
          running.add(c);
          try { await c.start(); } catch (err) { running.delete(c); throw err; }
          void c.whenEnded().then(() => { running.delete(c); if (capture === c) capture = undefined; });
          if (closed) { await c.stop('The page closed.'); return; }
          capture = c;
        } catch (err) {
          send({ type: 'error', message: err instanceof TargetError ? err.message : 'The capture could not start; try again.' });
          if (!(err instanceof TargetError)) log(`capture on ${sandbox}/${m.host} failed: ${String(err)}`);
        } finally { starting = false; }
      })();
    });
  }

  async function listTargets(sandbox: string, host: string) {
    const engine = deps.provider.engine(sandbox, host);
    const [links, nets, cs] = await Promise.all([
      deps.provider.exec(sandbox, host, 'ls /sys/class/net', { timeoutMs: 5000 }),
      engine.listNetworks(),
      engine.listContainers(),
    ]);
    const interfaces = ['any', ...links.stdout.split(/\s+/).filter((x) => x && x !== 'lo' && /^[A-Za-z0-9_.@-]+$/.test(x)).sort(), 'lo'];
    const networks = nets.filter((n) => n.Driver !== 'null' && n.Name !== 'docker_gwbridge' && n.Name !== 'ingress').map((n) => ({ name: n.Name, driver: n.Driver })).sort((a, b) => a.name.localeCompare(b.name));
    const containers = cs.map((c) => (c.Names[0] ?? '').replace(/^\//, '')).filter(Boolean).sort();
    return { host, interfaces, networks, containers };
  }

  return {
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): boolean {
      if (url.pathname !== LABVIEW_WS_PATH) return false;
      if (!originAllowed(req)) return refuse(socket, 403, 'Forbidden');
      const learner = readLearner(deps.secret, req);
      const sandbox = url.searchParams.get('sandbox') ?? '';
      if (!learner || !SANDBOX_RE.test(sandbox)) return refuse(socket, 404, 'Not Found');
      const owner = deps.sandboxes.ownerOf(sandbox);
      void (async () => {
        let ok = owner !== undefined && owner === learner;
        if (!ok && owner !== undefined && deps.canView) ok = await deps.canView(learner, sandbox);
        if (!ok) { refuse(socket, 404, 'Not Found'); return; }
        wss.handleUpgrade(req, socket, head, (ws) => connected(ws, sandbox));
      })().catch(() => socket.destroy());
      return true;
    },
    async close(): Promise<void> {
      const all = [...perSandbox.values()].flatMap((s) => [...s]);
      await Promise.all(all.map((c) => c.stop('The lab runner is shutting down.').catch(() => undefined)));
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
    },
  };
}

export type LabViewWs = ReturnType<typeof createLabViewWs>;
