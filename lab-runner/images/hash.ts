// The recipe hash: a content hash of everything that decides an image (its recipe, the bytes of
// every file it copies in or runs, the hashes of images baked into it, the builder version).
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import { BUILDER_VERSION, RECIPES, SUITE, type ImageName } from './recipes.ts';

async function fileHash(file: string): Promise<string> {
  try {
    return crypto.createHash('sha256').update(await fs.readFile(file)).digest('hex');
  } catch (err) {
    throw new Error(`The image recipe needs ${file}, which cannot be read (${(err as Error).message}). ` +
      (file === '/bin/busybox' ? 'Install it: apt-get install busybox-static.' : 'Is the checkout complete?'));
  }
}

/** Hashes for every image, each covering its dependencies' hashes. */
export async function recipeHashes(): Promise<Record<ImageName, string>> {
  const out = {} as Record<ImageName, string>;
  const one = async (name: ImageName): Promise<string> => {
    if (out[name]) return out[name];
    const r = RECIPES[name];
    const files: Record<string, string> = {};
    for (const f of r.files) files[f.replace(/^.*\/lab-runner\/images\//, '')] = await fileHash(f);
    const deps: Record<string, string> = {};
    for (const d of r.dependsOn) deps[d] = await one(d);
    const material = JSON.stringify({
      builder: BUILDER_VERSION, suite: SUITE, name: r.name, tag: r.tag, innerTag: r.innerTag ?? null,
      debootstrap: r.debootstrap ?? null, changes: r.changes, files, deps,
    });
    out[name] = crypto.createHash('sha256').update(material).digest('hex');
    return out[name];
  };
  for (const name of Object.keys(RECIPES) as ImageName[]) await one(name);
  return out;
}
