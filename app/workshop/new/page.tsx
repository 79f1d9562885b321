import { toLangPage } from '../redirect.ts';

export const dynamic = 'force-dynamic';
export default async function WorkshopNewRedirect() { return toLangPage('/new'); }
