// Wire types of live exercise status: the /runner/ws/lab WebSocket and the lessons API
// (/runner/api/lessons/*). Shared by the web app and the lab runner. Browser-safe: zod only.
import { z } from 'zod';
import { TopologySchema } from './topology.ts';

export const LAB_WS_PATH = '/runner/ws/lab';

export const ExerciseStatusSchema = z.object({
  type: z.literal('exercise'),
  lessonSlug: z.string().describe('Lesson folder name, e.g. 05-bridge'),
  exerciseId: z.string().describe('Exercise id inside the lesson'),
  passed: z.boolean().describe('Whether the exercise holds right now in the learner’s lab'),
  reason: z.string().describe('Passed: what holds. Not passed: what is missing, in words a learner understands (English)'),
  reasonKo: z.string().optional().describe('The same reason in Korean; the page shows it when the learner reads in Korean'),
  ms: z.number().describe('How long the check took'),
  passedAt: z.number().nullable().describe('Epoch ms of the first recorded pass (progress), null if never'),
  unavailable: z.boolean().default(false).describe('The host lacks a kernel feature this exercise needs; reason says which'),
});
export type ExerciseStatus = z.infer<typeof ExerciseStatusSchema>;

/** Server → page. On connect the server sends every exercise once, then only changes. */
export const LabServerMessageSchema = z.discriminatedUnion('type', [
  ExerciseStatusSchema,
  z.object({ type: z.literal('checking'), lessonSlug: z.string(), busy: z.boolean().describe('A re-check round is running') }),
  z.object({
    type: z.literal('error'),
    message: z.string().describe('Why live checking stopped (e.g. the sandbox expired)'),
    fatal: z.boolean().optional().describe('true: the sandbox is gone; the server closes the socket with code 4404 and reconnecting cannot help'),
  }),
  TopologySchema.describe('The live diagram: sent on connect and after every change of the lab (protocol/topology.ts)'),
]);
export type LabServerMessage = z.infer<typeof LabServerMessageSchema>;

/** Page → server. */
export const LabClientMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('check') }).describe('Re-check every exercise now (the Check button)'),
  z.object({ type: z.literal('activity') }).describe('The learner typed in a terminal: re-check after a short lull (catches changes no Docker event announces, such as installing ping)'),
]);
export type LabClientMessage = z.infer<typeof LabClientMessageSchema>;

export const CheckRequestSchema = z.object({
  sandbox: z.string().regex(/^[a-z0-9]{1,16}$/).optional().describe('Sandbox id; the learner’s sandbox for this lesson when omitted'),
}).strict();

export const CheckResponseSchema = z.object({
  lessonSlug: z.string(),
  sandbox: z.string(),
  exercises: z.array(ExerciseStatusSchema),
});
export type CheckResponse = z.infer<typeof CheckResponseSchema>;

export const UsedRequestSchema = z.object({
  kind: z.enum(['hint', 'solution']).describe('What the learner opened'),
}).strict();

export const AnswerRequestSchema = z.object({
  value: z.string().trim().min(1, 'type an answer').max(200).describe('What the learner typed'),
  sandbox: z.string().regex(/^[a-z0-9]{1,16}$/).optional().describe('Sandbox id; the learner’s sandbox for this lesson when omitted'),
}).strict();

export const ProgressResponseSchema = z.object({
  lessonSlug: z.string(),
  exercises: z.array(z.object({
    exerciseId: z.string(),
    passedAt: z.number().nullable(),
    usedHint: z.number().describe('Hints opened before the first pass'),
    usedSolution: z.boolean().describe('Solution opened before the first pass'),
  })),
});
export type ProgressResponse = z.infer<typeof ProgressResponseSchema>;
