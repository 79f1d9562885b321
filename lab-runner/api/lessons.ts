// Lesson routes of the runner API: re-check a lesson on demand, record hint/solution use, and
// read progress. The learner comes from the signed cookie; a sandbox id from the client is only
// used after checking that this learner owns it.
import { AnswerRequestSchema, CheckRequestSchema, UsedRequestSchema, type CheckResponse, type ProgressResponse } from '../../protocol/lab.ts';
import type { LessonDef, LiveHub, SandboxDirectory } from '../live/hub.ts';
import { LiveError } from '../live/hub.ts';
import type { Store } from '../store/store.ts';
import { HttpError, readJson, type Ctx, type Router } from './http.ts';
import { answerOf } from '../../lessons/checks.ts';
import { getLearner } from './learner.ts';

const SLUG = /^[0-9]{2}-[a-z0-9-]{1,60}$/;

export interface LessonRouteDeps {
  secret: string;
  hub: LiveHub;
  store: Store;
  sandboxes: SandboxDirectory & { forLearner(learner: string): Array<{ id: string; lesson: string; status: string }> };
  lesson: (slug: string) => Promise<LessonDef | undefined>;
}

export function registerLessonRoutes(router: Router, deps: LessonRouteDeps): void {
  const lessonOf = async (ctx: Ctx): Promise<LessonDef> => {
    const slug = ctx.params.slug ?? '';
    const def = SLUG.test(slug) ? await deps.lesson(slug) : undefined;
    if (!def) throw new HttpError(404, `There is no lesson ${slug}.`, 'not_found');
    return def;
  };

  const sandboxFor = (def: LessonDef, requested: string | undefined, learner: string): string => {
    const mine = deps.sandboxes.forLearner(learner).filter((s) => s.status !== 'gone');
    const sandbox = requested ?? (mine.find((s) => s.lesson === def.slug) ?? (mine.length === 1 ? mine[0] : undefined))?.id;
    if (!sandbox || deps.sandboxes.ownerOf(sandbox) !== learner) {
      throw new HttpError(404, 'You have no lab machine for this lesson yet; start the lab first.', 'no_sandbox');
    }
    return sandbox;
  };
  const checkAll = async (sandbox: string, def: LessonDef, learner: string): Promise<CheckResponse> => {
    try {
      return { lessonSlug: def.slug, sandbox, exercises: await deps.hub.check(sandbox, def.slug, learner) };
    } catch (err) {
      if (err instanceof LiveError) throw new HttpError(err.status, err.message, 'unavailable');
      throw err;
    }
  };

  router.on('POST', '/runner/api/lessons/:slug/check', async (ctx): Promise<CheckResponse> => {
    const def = await lessonOf(ctx);
    const body = await readJson(ctx.req, CheckRequestSchema);
    const learner = getLearner(deps.secret, ctx);
    return checkAll(sandboxFor(def, body.sandbox, learner), def, learner);
  });

  /** An answer for an `answer` check: stored, then the lesson is re-checked (returns every status). */
  router.on('POST', '/runner/api/lessons/:slug/exercises/:id/answer', async (ctx): Promise<CheckResponse> => {
    const def = await lessonOf(ctx);
    const ex = def.exercises.find((x) => x.id === ctx.params.id);
    if (!ex) throw new HttpError(404, `Lesson ${def.slug} has no exercise ${ctx.params.id ?? ''}.`, 'not_found');
    if (!answerOf(ex.check)) throw new HttpError(400, `Exercise ${ex.id} is checked in your lab, not by a typed answer.`, 'not_an_answer');
    const body = await readJson(ctx.req, AnswerRequestSchema);
    const learner = getLearner(deps.secret, ctx);
    const sandbox = sandboxFor(def, body.sandbox, learner);
    deps.store.setAnswer(learner, def.slug, ex.id, body.value);
    return checkAll(sandbox, def, learner);
  });

  router.on('POST', '/runner/api/lessons/:slug/exercises/:id/used', async (ctx) => {
    const def = await lessonOf(ctx);
    const id = ctx.params.id ?? '';
    if (!def.exercises.some((x) => x.id === id)) throw new HttpError(404, `Lesson ${def.slug} has no exercise ${id}.`, 'not_found');
    const body = await readJson(ctx.req, UsedRequestSchema);
    const row = deps.store.recordUse(getLearner(deps.secret, ctx), def.slug, id, body.kind);
    return { ok: true, usedHint: row.usedHint, usedSolution: row.usedSolution, passedAt: row.passedAt };
  });

  router.on('GET', '/runner/api/lessons/:slug/progress', async (ctx): Promise<ProgressResponse> => {
    const def = await lessonOf(ctx);
    const rows = deps.store.progress(getLearner(deps.secret, ctx), def.slug);
    return {
      lessonSlug: def.slug,
      exercises: rows.filter((r) => def.exercises.some((x) => x.id === r.exercise))
        .map((r) => ({ exerciseId: r.exercise, passedAt: r.passedAt, usedHint: r.usedHint, usedSolution: r.usedSolution })),
    };
  });
}
