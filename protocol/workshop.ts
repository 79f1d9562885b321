// Wire types of instructor-led workshops (/runner/api/workshops*, /runner/ws/workshop), shared
// by the web app and the lab runner. Browser-safe: zod only.
//
// Identity: students are the signed `dnl_learner` cookie (no account). The instructor link
// carries a secret key once: POST /runner/api/workshops/teach binds the instructor's cookie to
// the workshop, and every instructor route and the dashboard socket then check that binding.
import { z } from 'zod';

export const WORKSHOPS_PATH = '/runner/api/workshops';
export const WORKSHOP_WS_PATH = '/runner/ws/workshop';

/** Join-code alphabet: no 0/O, 1/I/L, so a code read aloud in a room is typed right. */
export const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const CODE_LENGTH = 6;
/** Accepts "abc-234", "ABC 234", "abc234" and returns "ABC234", or undefined. */
export function normalizeCode(input: string): string | undefined {
  const c = input.toUpperCase().replace(/[\s-]/g, '');
  if (c.length !== CODE_LENGTH) return undefined;
  for (const ch of c) if (!CODE_ALPHABET.includes(ch)) return undefined;
  return c;
}
/** "ABC234" → "ABC-234" (how codes are shown). */
export function formatCode(code: string): string { return `${code.slice(0, 3)}-${code.slice(3)}`; }

const SLUG = z.string().regex(/^[0-9]{2}-[a-z0-9-]{1,60}$/, 'a lesson folder name such as 05-bridge');
const when = z.union([z.number().int().min(0), z.string().datetime({ offset: true })])
  .transform((v) => (typeof v === 'number' ? v : Date.parse(v)))
  .describe('epoch ms or an ISO 8601 date-time with offset');

export const CreateWorkshopSchema = z.object({
  title: z.string().trim().min(1, 'give the workshop a title').max(120),
  lessons: z.array(SLUG).min(1, 'pick at least one lesson').max(20)
    .refine((l) => new Set(l).size === l.length, 'a lesson is listed twice'),
  capacity: z.number().int().min(1, 'capacity must be at least 1').max(500),
  startsAt: when,
  endsAt: when,
  passcode: z.string().trim().min(4, 'a passcode needs at least 4 characters').max(64).optional(),
  stuckMinutes: z.number().int().min(1).max(120).default(10).describe('no progress for this long marks a student as stuck'),
}).strict().refine((w) => w.endsAt > w.startsAt, { message: 'the end must be after the start', path: ['endsAt'] });
export type CreateWorkshop = z.input<typeof CreateWorkshopSchema>;

export const CreatedWorkshopSchema = z.object({
  id: z.string(),
  code: z.string().describe('join code, e.g. ABC234 (shown as ABC-234)'),
  instructorKey: z.string().describe('the secret of the instructor link; shown once'),
  instructorPath: z.string().describe('path of the instructor link (the key rides in the #fragment, never in logs)'),
  joinPath: z.string(),
});
export type CreatedWorkshop = z.infer<typeof CreatedWorkshopSchema>;

export const JoinSchema = z.object({
  code: z.string().trim().min(1, 'type the join code').max(20),
  name: z.string().trim().min(1, 'type your name').max(40, 'keep your name under 40 characters')
    .refine((n) => !/[\u0000-\u001f\u007f]/.test(n), 'your name has invisible control characters'),
  passcode: z.string().max(64).optional(),
}).strict();

export const TeachSchema = z.object({ key: z.string().min(16).max(128) }).strict();
export const NoteSchema = z.object({ text: z.string().trim().max(500, 'keep the note under 500 characters') }).strict();
export const ExtendSchema = z.object({ minutes: z.number().int().min(5).max(480) }).strict();
export const EmptySchema = z.object({}).strict();

export type WorkshopState = 'scheduled' | 'live' | 'ended';

export interface LessonOutline { slug: string; title: string; exercises: Array<{ id: string; title: string }> }

/** What a student sees of their workshop: never anyone else. */
export interface StudentWorkshopView {
  id: string;
  title: string;
  state: WorkshopState;
  startsAt: number;
  endsAt: number;
  lessons: LessonOutline[];
  note: string;
  noteAt: number | null;
  name: string;
}

export interface WorkshopInfo {
  id: string;
  code: string;
  title: string;
  state: WorkshopState;
  capacity: number;
  startsAt: number;
  endsAt: number;
  endedAt: number | null;
  hasPasscode: boolean;
  stuckMinutes: number;
  note: string;
  noteAt: number | null;
  lessons: LessonOutline[];
}

export interface Cell { passedAt: number | null; usedHint: number; usedSolution: boolean }

export interface StudentRow {
  /** Workshop-local number; never the learner id. */
  sid: number;
  name: string;
  joinedAt: number;
  sandbox: { id: string; status: string; lesson: string; hosts: string[] } | null;
  /** Keyed `${lesson}/${exercise}`. */
  cells: Record<string, Cell>;
  /** Last pass (or joining): the base of "stuck". */
  lastProgressAt: number;
}

export interface Reservations { wanted: number; ready: number; starting: number; problem?: string }

export interface DashboardSnapshot { workshop: WorkshopInfo; students: StudentRow[]; reservations: Reservations; now: number }

/** Server → dashboard. A snapshot first, then upserts. */
export type DashboardMessage =
  | { type: 'snapshot'; snapshot: DashboardSnapshot }
  | { type: 'student'; student: StudentRow }
  | { type: 'workshop'; workshop: WorkshopInfo }
  | { type: 'reservations'; reservations: Reservations }
  | { type: 'error'; message: string };

/** Server → a student's page. */
export type StudentMessage =
  | { type: 'workshop'; workshop: StudentWorkshopView }
  | { type: 'error'; message: string };

/** Seconds a student counts as stuck after: no pass for stuckMinutes while the workshop is live and work remains. */
export function isStuck(w: Pick<WorkshopInfo, 'state' | 'startsAt' | 'stuckMinutes' | 'lessons'>, s: StudentRow, now: number): boolean {
  if (w.state !== 'live') return false;
  const total = w.lessons.reduce((n, l) => n + l.exercises.length, 0);
  const passed = Object.values(s.cells).filter((c) => c.passedAt !== null).length;
  if (passed >= total) return false;
  return now - Math.max(s.lastProgressAt, w.startsAt) > w.stuckMinutes * 60_000;
}
