// The course map: every lesson with its number, title, one-line summary, estimated time and the
// learner's progress; "continue where you left off".
import type { Metadata } from 'next';
import { ContinueLink, LessonProgress, ResetProgress } from '../home/Progress.tsx';
import { getCourse, lessonCard } from '../lib/course.ts';
import { isLang, t, type Lang } from '../lib/i18n.ts';

export const metadata: Metadata = { title: { absolute: 'Docker Network Labs' } };

export default async function CourseMap({ params }: { params: Promise<{ lang: string }> }) {
  const { lang: raw } = await params;
  const lang: Lang = isLang(raw) ? raw : 'en';
  const s = t(lang);
  const cards = (await getCourse()).lessons.map((l) => lessonCard(l, lang));
  const slugs = cards.map((c) => c.slug);
  return (
    <div className="course-map">
      <section className="hero">
        <h1>{s.siteName}</h1>
        <p>{s.tagline}</p>
        <p className="hero-actions"><ContinueLink lessons={cards} lang={lang} /> <ResetProgress lang={lang} slugs={slugs} /></p>
      </section>
      <h2 className="visually-hidden">{s.courseMap}</h2>
      <ol className="lesson-cards">
        {cards.map((c) => (
          <li key={c.slug} className="lesson-card" data-slug={c.slug}>
            <span className="lesson-number" aria-hidden="true">{String(c.number).padStart(2, '0')}</span>
            <div className="lesson-card-body">
              <h3><a href={`/lessons/${c.slug}`}><span className="visually-hidden">{s.lesson} {c.number}: </span>{c.title}</a></h3>
              <p className="lesson-summary">{c.summary}</p>
              <p className="lesson-facts">
                <span>{s.minutes(c.minutes)}</span>
                <span>{s.exercisesCount(c.exercises)}</span>
                {c.requires.map((f) => <span key={f} className="badge">{s.requires(f)}</span>)}
                <LessonProgress slug={c.slug} total={c.exercises} lang={lang} slugs={slugs} />
              </p>
            </div>
          </li>
        ))}
      </ol>
    </div>
  );
}
