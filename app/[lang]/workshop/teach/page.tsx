// /[lang]/workshop/teach#<key>: the instructor's live dashboard. The key stays in the fragment
// (never sent in a URL, so never in a log); the page trades it once for an instructor binding.
import type { Metadata } from 'next';
import { isLang, type Lang } from '../../../lib/i18n.ts';
import { Dashboard } from '../../../workshop/Dashboard.tsx';
import { ws } from '../../../workshop/strings.ts';

export async function generateMetadata({ params }: { params: Promise<{ lang: string }> }): Promise<Metadata> {
  const { lang } = await params;
  return { title: ws(isLang(lang) ? lang : 'en').dashTitle, robots: { index: false } };
}

export default async function TeachPage({ params }: { params: Promise<{ lang: string }> }) {
  const { lang: raw } = await params;
  const lang: Lang = isLang(raw) ? raw : 'en';
  return <div className="ws-page ws-page-wide"><Dashboard lang={lang} /></div>;
}
