// The live-check part of the runner, built in one call from runner.ts: the SQLite store, the
// watcher hub, the /runner/ws/lab endpoint and the lesson routes.
import type { Router } from '../api/http.ts';
import { registerLessonRoutes, type LessonRouteDeps } from '../api/lessons.ts';
import type { Config } from '../config.ts';
import type { Provider } from '../provider/types.ts';
import { openStore, type Store } from '../store/store.ts';
import { LiveHub } from './hub.ts';
import { lessonLookup } from './lessons.ts';
import { createLabWs, type LabWs } from './ws.ts';
import { TopologyHub } from '../topology/hub.ts';

export interface LivePart { hub: LiveHub; ws: LabWs; store: Store; close(): Promise<void> }

export function createLive(deps: { config: Config; secret: string; router: Router; provider: Provider; manager: LessonRouteDeps['sandboxes']; lessonsDir?: string }): LivePart {
  const store = openStore(deps.config.dataDir);
  const lesson = lessonLookup(deps.lessonsDir);
  const hub = new LiveHub({ provider: deps.provider, sandboxes: deps.manager, store, lesson });
  const topology = new TopologyHub({ provider: deps.provider, sandboxes: deps.manager });
  const ws = createLabWs({ secret: deps.secret, hub, sandboxes: deps.manager, topology });
  registerLessonRoutes(deps.router, { secret: deps.secret, hub, store, sandboxes: deps.manager, lesson });
  return {
    hub, ws, store,
    async close() { await ws.close(); topology.close(); await hub.close(); store.close(); },
  };
}
