// /runner/ws/workshop: the push channel of workshops (JSON text frames, server → client only).
//   ?role=instructor&workshop=<id>  the dashboard: a snapshot, then student/workshop/reservation
//                                   upserts. Only a cookie bound as that workshop's instructor.
//   ?role=student                   a student's lesson page: their workshop (note, state, end time)
//                                   now and whenever it changes. Never anyone else's data.
// Same-origin browsers only; anybody else gets the same 404 as a missing workshop.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { WORKSHOP_WS_PATH, type DashboardMessage, type StudentMessage } from '../../protocol/workshop.ts';
import { readLearner } from '../api/learner.ts';
import { HttpError } from '../api/http.ts';
import { originAllowed } from '../terminal/ws.ts';
import type { WorkshopService } from './service.ts';

export interface WorkshopWs {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): boolean;
  close(): Promise<void>;
}

export function createWorkshopWs(deps: { secret: string; service: WorkshopService; heartbeatMs?: number; log?: (m: string) => void }): WorkshopWs {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024, perMessageDeflate: false });
  const log = deps.log ?? ((m) => console.log(`[workshop] ${m}`));
  const alive = new WeakMap<WebSocket, boolean>();
  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) { ws.terminate(); continue; }
      alive.set(ws, false);
      try { ws.ping(); } catch { /* closing */ }
    }
  }, deps.heartbeatMs ?? 30_000);
  heartbeat.unref();

  const refuse = (socket: Duplex, status: number, text: string): true => {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${text}`);
    return true;
  };

  function open(ws: WebSocket, subscribe: (send: (m: DashboardMessage | StudentMessage) => void) => Promise<() => void> | (() => void)): void {
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    ws.on('error', () => { /* 'close' follows */ });
    // Nothing is expected from the client; a message is a mistake, answered without closing.
    ws.on('message', () => send({ type: 'error', message: 'This channel only sends; use the HTTP API for actions.' }));
    const send = (m: DashboardMessage | StudentMessage): void => { if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m)); };
    let off: (() => void) | undefined;
    let closed = false;
    ws.on('close', () => { closed = true; off?.(); });
    Promise.resolve(subscribe(send)).then((o) => { if (closed) o(); else off = o; }, (err: unknown) => {
      log(`workshop channel failed: ${String(err)}`);
      ws.close(1011, 'workshop channel unavailable');
    });
  }

  return {
    handleUpgrade(req, socket, head, url) {
      if (url.pathname !== WORKSHOP_WS_PATH) return false;
      if (!originAllowed(req)) return refuse(socket, 403, 'Forbidden');
      const learner = readLearner(deps.secret, req);
      if (!learner) return refuse(socket, 404, 'Not Found');
      const role = url.searchParams.get('role');
      if (role === 'instructor') {
        let w;
        try { w = deps.service.instructorOf(url.searchParams.get('workshop') ?? '', learner); } catch (err) {
          if (err instanceof HttpError) return refuse(socket, 404, 'Not Found');
          throw err;
        }
        wss.handleUpgrade(req, socket, head, (ws) => open(ws, (send) => deps.service.subscribeDashboard(w, send)));
        return true;
      }
      if (role === 'student') {
        const m = deps.service.mine(learner);
        if (!m) return refuse(socket, 404, 'Not Found');
        wss.handleUpgrade(req, socket, head, (ws) => open(ws, async (send) => {
          const off = deps.service.subscribeStudent(learner, send);
          send({ type: 'workshop', workshop: await deps.service.studentView(m.w, m.s) });
          return off;
        }));
        return true;
      }
      return refuse(socket, 400, 'Bad Request');
    },
    async close() {
      clearInterval(heartbeat);
      for (const ws of wss.clients) ws.close(1001, 'the lab runner is restarting');
      await new Promise<void>((r) => wss.close(() => r()));
    },
  };
}
