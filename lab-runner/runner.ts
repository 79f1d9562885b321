// Composition root: the one place where the runner's parts are built and wired together
// (constructor injection, as in play-with-docker's api.go). Callers get a Runner; nothing else
// reaches for globals. Each part owns its module; this file only connects them.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import fs from 'node:fs';
import { loadConfig, type Config } from './config.ts';
import { loadOrCreateSecret } from './auth.ts';
import { Router, sendJson } from './api/http.ts';
import { LocalDockerProvider } from './provider/local.ts';
import type { Provider } from './provider/types.ts';
import { SandboxManager } from './sandbox/manager.ts';
import { registerSandboxRoutes } from './api/sandboxes.ts';
import { createCostlyActionLimits } from './api/rate-limit.ts';
import { createTerminals, managerTargets } from './terminal/index.ts';
import { createLive } from './live/index.ts';
import { createLabView } from './labview/index.ts';
import { createWorkshops, type WorkshopPart } from './workshop/index.ts';

export interface Runner {
  config: Config;
  secret: string;
  /** Where sandbox hosts run (local Docker by default); terminals and checks use it. */
  provider: Provider;
  /** Owns every sandbox: claims, pool, lifecycle clock, ownership (manager.ownerOf / manager.info). */
  manager: SandboxManager;
  /** The API's routes (method, path pattern): for the fuzz and authorization tests. */
  routes(): Array<{ method: string; path: string }>;
  /** Handles /runner/api/* requests; returns false for anything else. */
  handleHttp(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Handles WebSocket upgrades under /runner/ws/*; returns false for anything else. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  close(): Promise<void>;
}

export interface RunnerOptions {
  config?: Config;
  /** Inject another provider (tests, remote engines); default: LocalDockerProvider on config.dockerSocket. */
  provider?: Provider;
  /** Warm pool per topology (hosts → count); default { 1: config.poolSize }. */
  pool?: Record<number, number>;
}

export async function createRunner(opts: RunnerOptions = {}): Promise<Runner> {
  const config = opts.config ?? loadConfig();
  fs.mkdirSync(config.dataDir, { recursive: true });
  const secret = loadOrCreateSecret(config.dataDir, config.secret);
  const router = new Router();
  const upgrades: Array<(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL) => boolean> = [];
  const closers: Array<() => Promise<void> | void> = [];

  router.on('GET', '/runner/api/health', () => ({ ok: true }));

  // --- parts register their routes, upgrade handlers and closers below ---

  // Sandboxes (issue 3): adopt what exists, start the collector and warm pool; close keeps sandboxes.
  const provider = opts.provider ?? new LocalDockerProvider({ config });
  const manager = new SandboxManager({ provider, config, pool: opts.pool });
  await manager.start();
  // Starting, resetting or joining costs the machine real work: limited per learner and per address.
  const limits = createCostlyActionLimits(config);
  registerSandboxRoutes(router, { secret, manager, limits });
  closers.push(() => manager.close());

  // Terminals (issue 4): token route + /runner/ws/terminal; shells end with their sandbox.
  // Workshops (issue 8) are built after the store below; an instructor may watch their students' shells read-only.
  let workshops: WorkshopPart | undefined;
  const terminals = createTerminals({ config, secret, router, targets: managerTargets(manager, provider, { canView: (l, sb) => workshops?.canView(l, sb) ?? false }) });
  upgrades.push((req, socket, head, url) => terminals.ws.handleUpgrade(req, socket, head, url));
  closers.push(() => terminals.close());

  // Live checks and progress (issue 5): SQLite store, /runner/ws/lab, /runner/api/lessons/*.
  const live = createLive({ config, secret, router, provider, manager });
  upgrades.push((req, socket, head, url) => live.ws.handleUpgrade(req, socket, head, url));
  closers.push(() => live.close());

  // Lab views (issue 10): /lab/<sandbox>/<host>/<port>/ proxy to published ports (HTTP and
  // upgrades, see handleHttp/handleUpgrade below) and /runner/ws/labview (ports, packet capture).
  // A workshop's instructor may open their students' published ports and packet views too; the
  // proxied pages run sandboxed (api/security-headers.ts), so a student's page cannot act as them.
  const labview = createLabView({ config, secret, provider, sandboxes: manager, canView: (learner, id) => {
    const sb = manager.info(id);
    return sb ? workshops?.canView(learner, sb) ?? false : false;
  } });
  upgrades.push((req, socket, head, url) => labview.ws.handleUpgrade(req, socket, head, url));
  closers.push(() => labview.close());

  // Workshops (issue 8): join codes, reserved sandboxes, dashboard (/runner/ws/workshop), CSV.
  workshops = createWorkshops({ config, secret, router, db: live.store.db, sandboxes: manager });
  const ws8 = workshops;
  upgrades.push((req, socket, head, url) => ws8.ws.handleUpgrade(req, socket, head, url));
  closers.push(() => ws8.close());

  return {
    config,
    secret,
    provider,
    manager,
    routes: () => router.list(),
    async handleHttp(req, res) {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (labview.proxy.handles(url)) { await labview.proxy.http(req, res); return true; }
      if (!url.pathname.startsWith('/runner/')) return false;
      if (!(await router.handle(req, res, url))) sendJson(res, 404, { error: `No such API route: ${url.pathname}`, code: 'not_found' });
      return true;
    },
    handleUpgrade(req, socket, head) {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (labview.proxy.handles(url)) { labview.proxy.upgrade(req, socket, head); return true; }
      if (!url.pathname.startsWith('/runner/ws/')) return false;
      for (const h of upgrades) if (h(req, socket, head, url)) return true;
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return true;
    },
    async close() {
      for (const c of closers.reverse()) await c();
    },
  };
}
