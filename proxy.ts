// Maps the public, language-free URLs onto the statically generated /en and /ko pages:
//   ?lang=ko   → Korean, remembered in the dnl_lang cookie (a year)
//   dnl_lang   → the remembered choice
//   otherwise  → Korean for browsers that prefer it, else English
// /runner/* never reaches Next (scripts/serve.ts routes it to the runner first).
import { NextResponse, type NextRequest } from 'next/server';

const LANGS = ['en', 'ko'] as const;
type Lang = (typeof LANGS)[number];
const COOKIE = 'dnl_lang';
const isLang = (v: string | null | undefined): v is Lang => v === 'en' || v === 'ko';

export function proxy(req: NextRequest) {
  const url = req.nextUrl;
  const asked = url.searchParams.get('lang');
  const saved = req.cookies.get(COOKIE)?.value;
  const preferred = /^ko\b/i.test(req.headers.get('accept-language') ?? '') ? 'ko' : 'en';
  const lang: Lang = isLang(asked) ? asked : isLang(saved) ? saved : preferred;
  const target = url.clone();
  target.pathname = `/${lang}${url.pathname === '/' ? '' : url.pathname}`;
  const res = NextResponse.rewrite(target);
  if (isLang(asked) && asked !== saved) {
    res.cookies.set(COOKIE, asked, { path: '/', maxAge: 365 * 24 * 3600, sameSite: 'lax' });
  }
  res.headers.set('Vary', 'Cookie, Accept-Language');
  return res;
}

export const config = {
  matcher: ['/', '/lessons/:slug'],
};
