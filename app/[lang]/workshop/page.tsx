// /[lang]/workshop: students join here with the code on the instructor's screen.
import type { Metadata } from 'next';
import { isLang, type Lang } from '../../lib/i18n.ts';
import { JoinForm } from '../../workshop/JoinForm.tsx';
import { ws } from '../../workshop/strings.ts';

export async function generateMetadata({ params }: { params: Promise<{ lang: string }> }): Promise<Metadata> {
  const { lang } = await params;
  return { title: ws(isLang(lang) ? lang : 'en').joinTitle };
}

export default async function JoinPage({ params }: { params: Promise<{ lang: string }> }) {
  const { lang: raw } = await params;
  const lang: Lang = isLang(raw) ? raw : 'en';
  return <div className="ws-page"><JoinForm lang={lang} /></div>;
}
