// THE component registry of lessons. Lessons never import components: every tag a lesson may
// use is here (lessons/schema.ts MDX_COMPONENTS lists the same names and the loader rejects
// anything else), plus CodeBlock, which lessons/mdx.ts substitutes for every code fence.
// Bound per lesson page, so <Exercise id> can find its title, hints and solution.
import type { ReactNode } from 'react';
import type { MDXComponents } from 'mdx/types';
import type { ExerciseView } from '../lib/course-types.ts';
import { t, type Lang } from '../lib/i18n.ts';
import { CodeBlock } from './CodeBlock.tsx';
import { ExerciseCard } from './ExerciseCard.tsx';
import { SolutionReveal, TerminalButton } from './client-bits.tsx';
import { Topology } from '../lesson/Topology.tsx';
import { AnswerBox } from '../lesson/AnswerBox.tsx';
import { PacketViewButton } from '../lesson/PacketViewButton.tsx';

export interface LessonContext {
  slug: string;
  lang: Lang;
  hosts: number;
  exercises: ExerciseView[];
}

type Kids = { children?: ReactNode };

export function lessonComponents(ctx: LessonContext): MDXComponents {
  const s = t(ctx.lang);
  return {
    CodeBlock: (p: { code: string; lang?: string; run?: string; host?: string; interrupt?: string }) => <CodeBlock {...p} uiLang={ctx.lang} />,
    Exercise: ({ id, children }: Kids & { id: string }) => {
      const ex = ctx.exercises.find((e) => e.id === id);
      // The loader guarantees every id exists; this is for a lesson edited after the build.
      if (!ex) throw new Error(`lessons/${ctx.slug}: <Exercise id="${id}"> is not in lab.ts`);
      return (
        <ExerciseCard slug={ctx.slug} exercise={ex} lang={ctx.lang}>
          {children}
          {ex.answer && <AnswerBox slug={ctx.slug} exerciseId={ex.id} kind={ex.answer} lang={ctx.lang} />}
        </ExerciseCard>
      );
    },
    Hint: ({ children }: Kids) => (
      <details className="hint-aside">
        <summary>{s.hintAside}</summary>
        <div>{children}</div>
      </details>
    ),
    Solution: ({ children }: Kids) => <SolutionReveal lang={ctx.lang}>{children}</SolutionReveal>,
    Callout: ({ kind = 'note', children }: Kids & { kind?: string }) => (
      <aside className={`callout callout-${kind}`} data-kind={kind}>{children}</aside>
    ),
    Terminal: ({ host = 'node1' }: { host?: string }) => <TerminalButton host={host} lang={ctx.lang} />,
    Topology: () => <Topology lang={ctx.lang} />,
    PacketView: ({ preset = '' }: { preset?: string }) => <PacketViewButton preset={preset} lang={ctx.lang} />,
    a: ({ href = '', children }: Kids & { href?: string }) => /^https?:\/\//.test(href)
      ? <a href={href} target="_blank" rel="noreferrer">{children}</a>
      : <a href={href}>{children}</a>,
    table: ({ children }: Kids) => <div className="table-wrap" tabIndex={0}><table>{children}</table></div>,
  };
}
