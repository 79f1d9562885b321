// /runner/api/workshops*: the workshop HTTP API. Students are the signed learner cookie; an
// instructor is a cookie bound by POST …/teach with the link's key. Instructor routes answer 404
// to anybody else (a student cannot even learn that a dashboard exists), and every id in a path
// is looked up server-side, never trusted.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpError, readJson, type Ctx, type Router } from '../api/http.ts';
import { getLearner, readLearner } from '../api/learner.ts';
import {
  CreateWorkshopSchema, EmptySchema, ExtendSchema, JoinSchema, NoteSchema, TeachSchema, WORKSHOPS_PATH,
  type CreatedWorkshop, type DashboardSnapshot, type StudentWorkshopView,
} from '../../protocol/workshop.ts';
import type { WorkshopService } from './service.ts';
import type { WorkshopRow } from './store.ts';

/**
 * Failed join attempts per client address, so a join code or passcode cannot be guessed by brute
 * force. Generous (100 a minute): a whole room behind one NAT shares an address, and typos happen.
 */
class FailureLimiter {
  private readonly hits = new Map<string, number[]>();
  constructor(private readonly max: number, private readonly windowMs: number) {}
  blocked(key: string, now = Date.now()): boolean {
    const h = (this.hits.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (h.length) this.hits.set(key, h); else this.hits.delete(key);
    return h.length >= this.max;
  }
  fail(key: string, now = Date.now()): void {
    if (this.hits.size > 10_000) this.hits.clear();
    this.hits.set(key, [...(this.hits.get(key) ?? []), now]);
  }
}

function clientAddress(req: IncomingMessage): string { return req.socket.remoteAddress ?? '?'; }

function keyEquals(a: string, b: string): boolean {
  const x = Buffer.from(a), y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function registerWorkshopRoutes(router: Router, deps: { secret: string; service: WorkshopService; createKey?: string }): void {
  const { service, secret } = deps;
  const joins = new FailureLimiter(100, 60_000);

  const instructor = (ctx: Ctx): WorkshopRow => service.instructorOf(ctx.params.id ?? '', readLearner(secret, ctx.req));

  router.on('POST', WORKSHOPS_PATH, async (ctx): Promise<CreatedWorkshop> => {
    if (deps.createKey) {
      const given = ctx.req.headers['x-workshop-create-key'];
      if (typeof given !== 'string' || !keyEquals(given, deps.createKey)) {
        throw new HttpError(403, 'Creating workshops on this server needs the organiser key (DNL_WORKSHOP_CREATE_KEY).', 'create_key');
      }
    }
    const body = await readJson(ctx.req, CreateWorkshopSchema);
    const { workshop, key } = await service.create(body);
    // The creator's browser is the first instructor, so the dashboard opens without pasting the link.
    service.teach(key, getLearner(secret, ctx));
    return { id: workshop.id, code: workshop.code, instructorKey: key, instructorPath: `/workshop/teach#${key}`, joinPath: '/workshop' };
  });

  router.on('POST', `${WORKSHOPS_PATH}/join`, async (ctx): Promise<{ workshop: StudentWorkshopView; firstLesson: string }> => {
    const addr = clientAddress(ctx.req);
    if (joins.blocked(addr)) throw new HttpError(429, 'Too many wrong codes or passcodes from this computer. Wait a minute and try again.', 'slow_down');
    const body = await readJson(ctx.req, JoinSchema);
    const learner = getLearner(secret, ctx);
    try {
      return await service.join(learner, body);
    } catch (err) {
      if (err instanceof HttpError && (err.code === 'bad_code' || err.code === 'passcode')) joins.fail(addr);
      throw err;
    }
  });

  router.on('GET', `${WORKSHOPS_PATH}/me`, async (ctx): Promise<{ workshop: StudentWorkshopView | null }> => {
    const learner = readLearner(secret, ctx.req);
    const m = learner ? service.mine(learner) : undefined;
    return { workshop: m ? await service.studentView(m.w, m.s) : null };
  });

  router.on('POST', `${WORKSHOPS_PATH}/teach`, async (ctx): Promise<{ id: string; snapshot: DashboardSnapshot }> => {
    const body = await readJson(ctx.req, TeachSchema);
    const w = service.teach(body.key, getLearner(secret, ctx));
    return { id: w.id, snapshot: await service.snapshot(w) };
  });

  router.on('GET', `${WORKSHOPS_PATH}/:id/dashboard`, async (ctx): Promise<DashboardSnapshot> => service.snapshot(instructor(ctx)));

  router.on('POST', `${WORKSHOPS_PATH}/:id/note`, async (ctx) => {
    const w = instructor(ctx);
    const body = await readJson(ctx.req, NoteSchema);
    return { workshop: await service.info(await service.setNote(w, body.text)) };
  });

  router.on('POST', `${WORKSHOPS_PATH}/:id/extend`, async (ctx) => {
    const w = instructor(ctx);
    const body = await readJson(ctx.req, ExtendSchema);
    return { workshop: await service.info(await service.extend(w, body.minutes)) };
  });

  router.on('POST', `${WORKSHOPS_PATH}/:id/end`, async (ctx) => {
    const w = instructor(ctx);
    await readJson(ctx.req, EmptySchema);
    return { workshop: await service.info(await service.end(w)) };
  });

  router.on('POST', `${WORKSHOPS_PATH}/:id/students/:sid/reset`, async (ctx) => {
    const w = instructor(ctx);
    await readJson(ctx.req, EmptySchema);
    const sid = Number(ctx.params.sid);
    if (!Number.isInteger(sid) || sid <= 0) throw new HttpError(400, 'Invalid request: the student number must be a positive integer.', 'invalid');
    const boxes = await service.resetStudent(w, sid);
    return { sandboxes: boxes.map((b) => ({ id: b.id, status: b.status })) };
  });

  router.on('GET', `${WORKSHOPS_PATH}/:id/results.csv`, async (ctx) => {
    const w = instructor(ctx);
    const text = await service.csv(w);
    const file = `${w.title.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'workshop'}-results.csv`;
    ctx.res.writeHead(200, {
      'content-type': 'text/csv; charset=utf-8', 'cache-control': 'no-store',
      'content-disposition': `attachment; filename="${file}"`,
    });
    ctx.res.end('\ufeff' + text); // BOM: spreadsheets then read names in Korean (UTF-8) correctly
    return undefined;
  });
}
