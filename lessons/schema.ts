// The lesson format, as zod schemas. One schema per file of a lesson folder:
//
//   lessons/NN-slug/content.mdx     frontmatter → LessonMetaSchema   (English prose)
//   lessons/NN-slug/content.ko.mdx  frontmatter → LessonMetaKoSchema (Korean prose)
//   lessons/NN-slug/lab.ts          default export → LabSchema        (hosts, setup, exercises)
//
// Every field is described (the descriptions are the reference lessons/README.md points to),
// types come from z.infer, and cross-field invariants are refinements, so a malformed lesson
// fails `next build` and `npm run lessons:test` with the file, the field and the reason
// (see lessons/load.ts, which formats the issues).
//
// Pure data: imported by lab.ts files, the loader, the lab runner and the web app. No node:
// imports, no React, no dockerode.
import { z } from 'zod';
import { CheckSchema, hostsOf, type Check } from './checks.ts';

/** A lab has at most this many Docker hosts (node1 … node4). */
export const MAX_HOSTS = 4;
export const LANGUAGES = ['en', 'ko'] as const;
export type Language = (typeof LANGUAGES)[number];

export const HostNameSchema = z.string()
  .regex(/^node[1-4]$/, 'must be a host name node1 … node4')
  .describe('A lab host: node1 is the first sandbox host, node2 the second …');

/** Text shown to learners: one string for both languages, or one per language. */
export const TextSchema = z.union([
  z.string().trim().min(1),
  z.strictObject({
    en: z.string().trim().min(1).describe('English text'),
    ko: z.string().trim().min(1).describe('Korean text'),
  }),
], { error: 'expected a non-empty string, or { en: "…", ko: "…" } with both languages' })
  .describe('Learner-facing text: a plain string (same in both languages) or { en, ko }');
export type Text = z.infer<typeof TextSchema>;

export function textIn(text: Text, lang: Language): string {
  return typeof text === 'string' ? text : text[lang];
}

export const StepSchema = z.strictObject({
  host: HostNameSchema.describe('Host whose shell runs the command (node1 … node<hosts>)'),
  run: z.string().trim().min(1, 'expected a shell command')
    .describe('A shell command, run with `sh -c` on that host (inside the sandbox, as root); may span lines'),
}).describe('One command on one host');
export type Step = z.infer<typeof StepSchema>;

export const ExerciseIdSchema = z.string()
  .regex(/^[a-z0-9][a-z0-9-]{0,47}$/, 'must be lowercase letters, digits and dashes (e.g. "ping-by-name")')
  .describe('Stable id of an exercise inside its lesson; progress is stored under it, so never rename a published one');

export const ExerciseSchema = z.strictObject({
  id: ExerciseIdSchema,
  title: TextSchema.describe('Short imperative title, e.g. "Create a user-defined bridge"'),
  check: CheckSchema.describe('What the lab runner verifies, live, to mark the exercise Passed (lessons/checks.ts)'),
  hints: z.array(TextSchema).min(1, 'expected at least 1 hint')
    .describe('Progressive hints, revealed one at a time; the first is gentle, the last nearly gives it away'),
  solution: z.array(StepSchema).min(1, 'expected at least 1 solution step')
    .describe('Commands that solve the exercise from the state left by setup and the earlier exercises; `npm run lessons:test` replays them'),
}).describe('One task the learner does in the lab, checked live');
export type Exercise = z.infer<typeof ExerciseSchema>;

/** Kernel features a lesson may need; the runner probes the host for them at start. */
export const KernelFeatureSchema = z.enum(['macvlan', 'ipvlan', 'vxlan', 'vlan', 'ipvs', 'dummy'])
  .describe('A kernel feature the lab needs: macvlan, ipvlan, vxlan (overlay), vlan (802.1q sub-interfaces), ipvs (swarm VIPs), dummy');
export type KernelFeature = z.infer<typeof KernelFeatureSchema>;

export const LabSchema = z.strictObject({
  hosts: z.number({ error: 'expected a number of hosts (1 … 4)' }).int().min(1, 'a lab needs at least 1 host').max(MAX_HOSTS, `a lab has at most ${MAX_HOSTS} hosts`)
    .describe('How many sandbox Docker hosts the learner gets: node1 … nodeN, on one private lab network'),
  setup: z.array(StepSchema)
    .describe('Commands run before the learner arrives, in order (use [] when the lesson starts from a clean host)'),
  exercises: z.array(ExerciseSchema).min(1, 'expected at least 1 exercise')
    .describe('The exercises, in the order the prose presents them'),
}).superRefine((lab, ctx) => {
  const known = (host: string): boolean => Number(host.slice(4)) <= lab.hosts;
  const missing = (host: string): string =>
    `host ${host} does not exist: this lab has ${lab.hosts} host${lab.hosts === 1 ? '' : 's'} (${hostList(lab.hosts)})`;
  lab.setup.forEach((s, i) => {
    if (!known(s.host)) ctx.addIssue({ code: 'custom', path: ['setup', i, 'host'], message: missing(s.host) });
  });
  const seen = new Map<string, number>();
  lab.exercises.forEach((ex, i) => {
    const first = seen.get(ex.id);
    if (first !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['exercises', i, 'id'], message: `duplicate exercise id "${ex.id}" (also exercises[${first}].id)` });
    } else seen.set(ex.id, i);
    ex.solution.forEach((s, j) => {
      if (!known(s.host)) ctx.addIssue({ code: 'custom', path: ['exercises', i, 'solution', j, 'host'], message: missing(s.host) });
    });
    for (const h of hostsOf(ex.check as Check)) {
      if (!/^node\d+$/.test(h) || !known(h)) ctx.addIssue({ code: 'custom', path: ['exercises', i, 'check'], message: `the check looks at ${missing(h)}` });
    }
  });
}).describe('The lab of a lesson: its hosts, starting state and exercises');
export type Lab = z.infer<typeof LabSchema>;
/** What an author writes in lab.ts (fields with defaults may be left out). */
export type LabInput = z.input<typeof LabSchema>;

export function hostList(n: number): string {
  return Array.from({ length: n }, (_, i) => `node${i + 1}`).join(', ');
}

export const DocLinkSchema = z.strictObject({
  title: z.string().trim().min(1).describe('Link text, e.g. "Bridge network driver"'),
  url: z.url({ protocol: /^https$/, error: 'must be an https:// URL' }).describe('Where to read more (official Docker docs preferred)'),
}).describe('A link to further reading');
export type DocLink = z.infer<typeof DocLinkSchema>;

export const LessonMetaSchema = z.strictObject({
  title: z.string().trim().min(1, 'expected a title').max(80, 'keep the title under 80 characters')
    .describe('Lesson title as shown on the course map and the page heading'),
  summary: z.string().trim().min(1, 'expected a one-line summary').max(160, 'keep the summary to one line (at most 160 characters)')
    .refine((s) => !s.includes('\n'), 'the summary must be one line')
    .describe('One line for the course map: what the learner will be able to do'),
  minutes: z.number({ error: 'expected estimated minutes as a number' }).int().min(1).max(240)
    .describe('Estimated time to finish the lesson, in minutes'),
  docs: z.array(DocLinkSchema).default([]).describe('Further reading, listed at the end of the lesson'),
  requires: z.array(KernelFeatureSchema).default([])
    .describe('Kernel features the lab needs; the page explains when this host lacks one, and lessons:test skips it with that reason'),
}).describe('Frontmatter of content.mdx (English). The folder name NN-slug gives the order (NN) and the URL (/lessons/NN-slug)');
export type LessonMeta = z.infer<typeof LessonMetaSchema>;

export const LessonMetaKoSchema = z.strictObject({
  title: z.string().trim().min(1, 'expected a title').max(80).describe('Korean title'),
  summary: z.string().trim().min(1, 'expected a one-line summary').max(160)
    .refine((s) => !s.includes('\n'), 'the summary must be one line').describe('Korean one-line summary'),
  docs: z.array(DocLinkSchema).optional().describe('Korean further reading; the English docs list is used when omitted'),
}).describe('Frontmatter of content.ko.mdx: only the translated fields (minutes and requires come from content.mdx)');
export type LessonMetaKo = z.infer<typeof LessonMetaKoSchema>;

/** lab.ts: `export default defineLab({ … })` — an identity function that gives authors types and completion. */
export function defineLab<const T extends LabInput>(lab: T): T {
  return lab;
}

// --- Runnable code fences -----------------------------------------------------------------
// ```bash run host=node2           → Run + Copy buttons; Run types the command into node2's terminal
// ```bash run interrupt            → sends Ctrl-C first (e.g. to stop a running ping)
// ```bash                          → Copy only
// The host may be omitted in a single-host lesson (node1); multi-host lessons must name it.

export interface FenceMeta {
  run: boolean;
  interrupt: boolean;
  host?: string;
}

/** Parses a fence's meta string; returns an error text for words it does not understand. */
export function parseFenceMeta(meta: string | null | undefined): FenceMeta | { error: string } {
  const out: FenceMeta = { run: false, interrupt: false };
  for (const word of (meta ?? '').trim().split(/\s+/).filter(Boolean)) {
    if (word === 'run') out.run = true;
    else if (word === 'interrupt') out.interrupt = true;
    else if (word.startsWith('host=')) out.host = word.slice(5);
    else return { error: `unknown fence option "${word}" (expected run, interrupt, host=nodeN)` };
  }
  if (out.interrupt && !out.run) return { error: '"interrupt" needs "run"' };
  if (out.host !== undefined && !out.run) return { error: '"host=" needs "run"' };
  return out;
}

/** Components the MDX registry provides (app/mdx/registry.tsx); anything else in a lesson is an error. */
export const MDX_COMPONENTS = ['Terminal', 'Exercise', 'Hint', 'Solution', 'Callout', 'Topology', 'PacketView'] as const;
export type MdxComponentName = (typeof MDX_COMPONENTS)[number];
export const CALLOUT_KINDS = ['note', 'tip', 'warning', 'limitation'] as const;
