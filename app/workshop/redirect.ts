// /workshop, /workshop/new and /workshop/teach are the short, language-free URLs an instructor
// reads out or shares; they send the browser to the page in the learner's language (the
// dnl_lang cookie, else the browser's preference). A #fragment (the instructor key) survives.
import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';

export async function toLangPage(rest: string): Promise<never> {
  const saved = (await cookies()).get('dnl_lang')?.value;
  const prefersKo = /^ko\b/i.test((await headers()).get('accept-language') ?? '');
  const lang = saved === 'en' || saved === 'ko' ? saved : prefersKo ? 'ko' : 'en';
  redirect(`/${lang}/workshop${rest}`);
}
