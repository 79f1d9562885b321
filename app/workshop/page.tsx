import { toLangPage } from './redirect.ts';

export const dynamic = 'force-dynamic';
export default async function WorkshopJoinRedirect({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const code = (await searchParams).code;
  return toLangPage(typeof code === 'string' ? `?code=${encodeURIComponent(code)}` : '');
}
