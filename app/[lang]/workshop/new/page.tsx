// /[lang]/workshop/new: an instructor creates a workshop.
import type { Metadata } from 'next';
import { getCourse } from '../../../lib/course.ts';
import { isLang, type Lang } from '../../../lib/i18n.ts';
import { CreateForm } from '../../../workshop/CreateForm.tsx';
import { ws } from '../../../workshop/strings.ts';

export async function generateMetadata({ params }: { params: Promise<{ lang: string }> }): Promise<Metadata> {
  const { lang } = await params;
  return { title: ws(isLang(lang) ? lang : 'en').createTitle };
}

export default async function NewWorkshopPage({ params }: { params: Promise<{ lang: string }> }) {
  const { lang: raw } = await params;
  const lang: Lang = isLang(raw) ? raw : 'en';
  const lessons = (await getCourse()).lessons.map((l) => ({ slug: l.slug, number: l.number, title: l.content[lang].title, hosts: l.lab.hosts }));
  return <div className="ws-page"><CreateForm lang={lang} lessons={lessons} /></div>;
}
