// A lesson: the prose (compiled at build time, rendered here with the component registry) in
// the workspace beside the learner's lab. One static page per lesson and language; a lesson
// that fails validation fails the build (getCourse throws the loader's message).
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { Workspace } from '../../../lesson/Workspace.tsx';
import { exerciseView, getCourse, getLesson } from '../../../lib/course.ts';
import { isLang, LANGS, t, type Lang } from '../../../lib/i18n.ts';
import { MdxContent } from '../../../mdx/render.tsx';
import { lessonComponents } from '../../../mdx/registry.tsx';

type Params = Promise<{ lang: string; slug: string }>;

export const dynamicParams = false;
export async function generateStaticParams({ params }: { params: { lang: string } }) {
  const course = await getCourse();
  const langs = params?.lang ? [params.lang] : [...LANGS];
  return langs.flatMap((lang) => course.lessons.map((l) => ({ lang, slug: l.slug })));
}

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { lang, slug } = await params;
  const lesson = await getLesson(slug);
  if (!lesson || !isLang(lang)) return {};
  return { title: lesson.content[lang].title, description: lesson.content[lang].summary };
}

export default async function LessonPage({ params }: { params: Params }) {
  const { lang: raw, slug } = await params;
  if (!isLang(raw)) notFound();
  const lang: Lang = raw;
  const s = t(lang);
  const course = await getCourse();
  const i = course.lessons.findIndex((l) => l.slug === slug);
  const lesson = course.lessons[i];
  if (!lesson) notFound();
  const content = lesson.content[lang];
  const exercises = lesson.lab.exercises.map((ex, n) => exerciseView(ex, n, lang));
  const prev = course.lessons[i - 1];
  const next = course.lessons[i + 1];
  const components = lessonComponents({ slug, lang, hosts: lesson.lab.hosts, exercises });
  return (
    <Workspace slug={slug} lang={lang} hosts={lesson.lab.hosts} exercises={exercises}>
      <article className="lesson">
        <header className="lesson-header">
          <p className="lesson-kicker">{s.lesson} {lesson.number} · {s.minutes(lesson.minutes)}</p>
          <h1>{content.title}</h1>
          <p className="lesson-lede">{content.summary}</p>
          {lesson.requires.length > 0 && (
            <p className="requires">{lesson.requires.map((f) => <span key={f} className="badge">{s.requires(f)}</span>)}</p>
          )}
        </header>
        <div className="prose">
          <MdxContent code={content.code} components={components} />
        </div>
        {content.docs.length > 0 && (
          <section className="further">
            <h2>{s.furtherReading}</h2>
            <ul>{content.docs.map((d) => <li key={d.url}><a href={d.url} target="_blank" rel="noreferrer">{d.title}</a></li>)}</ul>
          </section>
        )}
        <nav className="prev-next" aria-label={`${s.previous} / ${s.next}`}>
          {prev ? <a rel="prev" href={`/lessons/${prev.slug}`}>← {s.previous}: {prev.content[lang].title}</a> : <span />}
          {next ? <a rel="next" href={`/lessons/${next.slug}`}>{s.next}: {next.content[lang].title} →</a> : <span />}
        </nav>
      </article>
    </Workspace>
  );
}
