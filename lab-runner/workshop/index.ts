// The workshop part of the runner, built in one call from runner.ts: store (the runner's SQLite
// database), service (reservations, dashboard feed, actions), HTTP routes and the push channel.
// `canView` is what the terminal server asks before giving an instructor a read-only shell view.
import type Database from 'better-sqlite3';
import type { Router } from '../api/http.ts';
import type { Config } from '../config.ts';
import { loadCourse } from '../../lessons/load.ts';
import type { SandboxInfo } from '../provider/types.ts';
import { registerWorkshopRoutes } from './routes.ts';
import { WorkshopService, type CourseLesson, type CourseLookup, type WorkshopSandboxes } from './service.ts';
import { WorkshopStore } from './store.ts';
import { createWorkshopWs, type WorkshopWs } from './ws.ts';

export interface WorkshopPart {
  service: WorkshopService;
  store: WorkshopStore;
  ws: WorkshopWs;
  /** May this learner (a bound instructor) watch this sandbox read-only? */
  canView(learnerId: string, sandbox: SandboxInfo): boolean;
  close(): Promise<void>;
}

/** Lesson outlines (English titles; the dashboard is the instructor's) from the lessons folder, loaded once. */
export function courseLookup(dir?: string): CourseLookup {
  let all: Promise<Map<string, CourseLesson>> | undefined;
  const text = (t: string | { en: string }): string => (typeof t === 'string' ? t : t.en);
  const load = async (): Promise<Map<string, CourseLesson>> => {
    const course = await loadCourse({ dir, compile: false });
    return new Map(course.lessons.map((l) => [l.slug, {
      slug: l.slug, title: l.content.en.title, hosts: l.lab.hosts,
      exercises: l.lab.exercises.map((x) => ({ id: x.id, title: text(x.title) })),
    }]));
  };
  return async (slug) => {
    all ??= load().catch((err: unknown) => { all = undefined; throw err; });
    return (await all).get(slug);
  };
}

export function createWorkshops(deps: {
  config: Config; secret: string; router: Router; db: Database.Database; sandboxes: WorkshopSandboxes;
  course?: CourseLookup; log?: (m: string) => void;
}): WorkshopPart {
  const store = new WorkshopStore(deps.db);
  const course = deps.course ?? courseLookup();
  // Loading the lessons takes seconds (20 s on a loaded 2-core machine): do it now, not on the first create.
  void course('').catch((err: unknown) => (deps.log ?? console.log)(`[workshop] lessons could not be loaded yet: ${String(err)}`));
  const service = new WorkshopService({ store, sandboxes: deps.sandboxes, course, config: deps.config, log: deps.log });
  registerWorkshopRoutes(deps.router, { secret: deps.secret, service, createKey: deps.config.workshopCreateKey });
  const ws = createWorkshopWs({ secret: deps.secret, service, log: deps.log });
  service.start();
  return {
    service, store, ws,
    canView(learnerId, sb) {
      const owner = sb.labels['dnl.owner'];
      return !!owner && owner !== learnerId && store.canView(learnerId, owner);
    },
    async close() { service.close(); await ws.close(); },
  };
}
