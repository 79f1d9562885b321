// Wire types of the runner's sandbox API (/runner/api/sandboxes*), shared by the web app and the
// lab runner. Browser-safe: zod only.
import { z } from 'zod';

export const SANDBOXES_PATH = '/runner/api/sandboxes';

export const SandboxStatusSchema = z.enum(['starting', 'ready', 'resetting', 'error', 'gone'])
  .describe('starting → ready; resetting → ready; error (see `error`); gone (expired or destroyed)');
export type SandboxStatus = z.infer<typeof SandboxStatusSchema>;

export const ClaimRequestSchema = z.object({
  hosts: z.number().int().min(1).max(4).default(1).describe('how many hosts (node1..nodeN) the lesson needs'),
  lesson: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a lesson id like "bridge-networks"').optional()
    .describe('the lesson this sandbox is for (shown to instructors, kept on labels)'),
  wait: z.boolean().default(false).describe('answer only once the sandbox is ready (or failed)'),
}).strict();
export type ClaimRequest = z.input<typeof ClaimRequestSchema>;

export const ResetRequestSchema = z.object({
  host: z.string().regex(/^node[1-9]$/, 'a host name like "node1"').optional().describe('reset one host; all when omitted'),
  wait: z.boolean().default(false),
}).strict();

export const SandboxViewSchema = z.object({
  id: z.string(),
  status: SandboxStatusSchema,
  lesson: z.string(),
  hosts: z.array(z.object({ name: z.string(), ip: z.string() })),
  createdAt: z.number().describe('epoch ms'),
  expiresAt: z.number().describe('epoch ms: hard TTL (extend pushes it back)'),
  idleExpiresAt: z.number().describe('epoch ms: removed if nobody uses it until then'),
  error: z.string().optional().describe('why the sandbox failed, in words a learner can act on'),
});
export type SandboxView = z.infer<typeof SandboxViewSchema>;
