// /runner/ws/lab?sandbox=<id>[&lesson=<slug>]: live exercise status for the lesson page.
// The cookie's learner must own the sandbox (same-origin browsers only). The server sends every
// exercise's status once, then changes; the page may ask for a check or report terminal activity.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { LAB_WS_PATH, LabClientMessageSchema, type LabServerMessage } from '../../protocol/lab.ts';
import type { Topology } from '../../protocol/topology.ts';
import { readLearner } from '../api/learner.ts';
import { originAllowed } from '../terminal/ws.ts';
import { LiveError, type LiveHub, type SandboxDirectory } from './hub.ts';

const SLUG = /^[0-9]{2}-[a-z0-9-]{1,60}$/;
const SANDBOX = /^[a-z0-9]{1,16}$/;

export interface LabWs {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): boolean;
  close(): Promise<void>;
}

export function createLabWs(deps: {
  secret: string; hub: LiveHub; sandboxes: SandboxDirectory; log?: (m: string) => void;
  /** The live diagram (lab-runner/topology): its snapshots go down the same socket. */
  topology?: { view(sandbox: string, send: (t: Topology) => void): () => void };
}): LabWs {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096, perMessageDeflate: false });
  const log = deps.log ?? ((m) => console.log(`[live] ${m}`));

  const refuse = (socket: Duplex, status: number, text: string): true => {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${text}`);
    return true;
  };

  function connected(ws: WebSocket, sandbox: string, slug: string, learner: string): void {
    const send = (m: LabServerMessage): void => {
      if (ws.readyState !== ws.OPEN) return;
      ws.send(JSON.stringify(m));
      // The sandbox is gone: 4404 tells the page that reconnecting cannot help.
      if (m.type === 'error' && m.fatal) ws.close(4404, 'sandbox gone');
    };
    let leave: (() => void) | undefined;
    let closed = false;
    const unwatchTopology = deps.topology?.view(sandbox, send);
    ws.on('close', () => { closed = true; leave?.(); unwatchTopology?.(); });
    // An oversized or malformed frame is reported here, then 'close' follows; without a
    // listener it would be an uncaught exception that ends the whole server.
    ws.on('error', () => { /* 'close' follows */ });
    deps.hub.view(sandbox, slug, learner, send).then((off) => { if (closed) off(); else leave = off; }, (err: unknown) => {
      send({ type: 'error', message: err instanceof LiveError ? err.message : 'Live checking could not start; use the Check button or reload.' });
      if (!(err instanceof LiveError)) log(`view ${sandbox}/${slug} failed: ${String(err)}`);
      ws.close(1011, 'live checks unavailable');
    });
    ws.on('message', (data, isBinary) => {
      let msg: unknown;
      try { msg = isBinary ? undefined : JSON.parse(data.toString()); } catch { msg = undefined; }
      const parsed = LabClientMessageSchema.safeParse(msg);
      if (!parsed.success) { send({ type: 'error', message: 'Unknown message: expected {"type":"check"} or {"type":"activity"}.' }); return; }
      if (parsed.data.type === 'activity') deps.hub.activity(sandbox);
      else deps.hub.watcher(sandbox, slug, learner).then((w) => w.checkNow()).catch(() => undefined);
    });
  }

  return {
    handleUpgrade(req, socket, head, url) {
      if (url.pathname !== LAB_WS_PATH) return false;
      if (!originAllowed(req)) return refuse(socket, 403, 'Forbidden');
      const learner = readLearner(deps.secret, req);
      const sandbox = url.searchParams.get('sandbox') ?? '';
      // Someone else's sandbox answers exactly like a missing one.
      if (!learner || !SANDBOX.test(sandbox) || deps.sandboxes.ownerOf(sandbox) !== learner) return refuse(socket, 404, 'Not Found');
      const slug = url.searchParams.get('lesson') ?? deps.sandboxes.get(sandbox)?.lesson ?? '';
      if (!SLUG.test(slug)) return refuse(socket, 400, 'Bad Request');
      wss.handleUpgrade(req, socket, head, (ws) => connected(ws, sandbox, slug, learner));
      return true;
    },
    async close() {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
    },
  };
}
