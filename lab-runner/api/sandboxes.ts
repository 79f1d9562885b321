// The learner's sandbox API. Every route resolves the learner from the signed cookie and only
// ever acts on that learner's own sandboxes: someone else's id answers 404, exactly like an id
// that never existed, so the API does not even confirm that another learner's sandbox exists.
import { z } from 'zod';
import { ClaimRequestSchema, ResetRequestSchema, type SandboxView } from '../../protocol/sandbox.ts';
import type { SandboxManager } from '../sandbox/manager.ts';
import { HttpError, readJson, type Ctx, type Router } from './http.ts';
import { getLearner } from './learner.ts';
import { checkCostlyAction, type CostlyActionLimits } from './rate-limit.ts';

const Empty = z.object({}).strict();
const NOT_FOUND = 'That lab machine does not exist (it may have expired).';

export function registerSandboxRoutes(router: Router, deps: { secret: string; manager: SandboxManager; limits?: CostlyActionLimits }): void {
  const { manager, secret, limits } = deps;

  /** The sandbox named in the path, if it belongs to the cookie's learner; 404 otherwise. */
  const own = (ctx: Ctx): { learner: string; id: string } => {
    const learner = getLearner(secret, ctx);
    const id = ctx.params.id ?? '';
    if (!/^[a-z0-9]{1,16}$/.test(id) || manager.ownerOf(id) !== learner) throw new HttpError(404, NOT_FOUND, 'not_found');
    return { learner, id };
  };

  router.on('POST', '/runner/api/sandboxes', async (ctx): Promise<SandboxView> => {
    const body = await readJson(ctx.req, ClaimRequestSchema);
    const learner = getLearner(secret, ctx);
    if (limits) checkCostlyAction(limits, ctx.req, learner, ctx.res);
    const view = await manager.claim(learner, { hosts: body.hosts, lesson: body.lesson });
    return body.wait ? manager.whenReady(view.id) : view;
  });

  router.on('GET', '/runner/api/sandboxes/current', (ctx): { sandboxes: SandboxView[] } => {
    const learner = getLearner(secret, ctx);
    return { sandboxes: manager.forLearner(learner) };
  });

  router.on('GET', '/runner/api/sandboxes/:id', (ctx): SandboxView => {
    const { id } = own(ctx);
    const v = manager.get(id);
    if (!v) throw new HttpError(404, NOT_FOUND, 'not_found');
    return v;
  });

  router.on('POST', '/runner/api/sandboxes/:id/reset', async (ctx): Promise<SandboxView> => {
    const { id, learner } = own(ctx);
    const body = await readJson(ctx.req, ResetRequestSchema);
    if (limits) checkCostlyAction(limits, ctx.req, learner, ctx.res);
    const view = await manager.reset(id, body.host);
    return body.wait ? manager.whenReady(id) : view;
  });

  router.on('POST', '/runner/api/sandboxes/:id/extend', async (ctx): Promise<SandboxView> => {
    const { id } = own(ctx);
    await readJson(ctx.req, Empty);
    return manager.extend(id);
  });

  router.on('POST', '/runner/api/sandboxes/:id/touch', async (ctx): Promise<{ ok: true }> => {
    const { id } = own(ctx);
    await readJson(ctx.req, Empty);
    manager.touch(id);
    return { ok: true };
  });

  router.on('DELETE', '/runner/api/sandboxes/:id', async (ctx): Promise<{ ok: true }> => {
    const { id } = own(ctx);
    await manager.destroy(id, 'removed by its learner');
    return { ok: true };
  });
}
