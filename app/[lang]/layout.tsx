// Everything learners read lives under /[lang] (en, ko), statically generated for both
// languages. proxy.ts maps the public URLs (/, /lessons/…) onto them from ?lang= or the
// dnl_lang cookie, so URLs stay language-free and pages stay static.
import type { ReactNode } from 'react';
import { notFound } from 'next/navigation';
import { ThemeToggle } from '../components/ThemeToggle.tsx';
import { isLang, LANGS, t } from '../lib/i18n.ts';

export const dynamicParams = false;
export function generateStaticParams() {
  return LANGS.map((lang) => ({ lang }));
}

export default async function LangLayout({ children, params }: { children: ReactNode; params: Promise<{ lang: string }> }) {
  const { lang } = await params;
  if (!isLang(lang)) notFound();
  const s = t(lang);
  const other = lang === 'en' ? 'ko' : 'en';
  return (
    <div lang={lang} className="shell">
      {/* The root <html lang> is static; correct it for assistive tech before hydration. */}
      <script dangerouslySetInnerHTML={{ __html: `document.documentElement.lang=${JSON.stringify(lang)}` }} />
      <a className="skip-link" href="#main">{s.skipToContent}</a>
      <header className="site-header">
        <a className="brand" href="/">{s.siteName}</a>
        <nav className="site-nav" aria-label={s.siteName}>
          <a href="/">{s.courseMap}</a>
          <a href="/workshop" data-testid="join-workshop">{s.joinWorkshop}</a>
          {/* A full navigation (not client routing): proxy.ts stores the choice in the cookie. */}
          <a href={`?lang=${other}`} hrefLang={other} lang={other} aria-label={s.otherLanguageLabel} data-testid="lang-toggle">{s.otherLanguage}</a>
          <ThemeToggle lang={lang} />
        </nav>
      </header>
      <main id="main" tabIndex={-1}>{children}</main>
    </div>
  );
}
