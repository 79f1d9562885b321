// Runs a lesson compiled at build time by lessons/mdx.ts (@mdx-js/mdx, function-body output)
// with the registry's components. Only repository lesson content reaches this: compiled by the
// loader from lessons/**, never anything a user sent.
import type { ComponentType } from 'react';
import * as runtime from 'react/jsx-runtime';
import type { MDXComponents } from 'mdx/types';

type MdxModule = { default: ComponentType<{ components?: MDXComponents }> };
const cache = new Map<string, MdxModule>();

function load(code: string): MdxModule {
  let mod = cache.get(code);
  if (!mod) {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- see the header comment
    mod = new Function(code)({ ...runtime, baseUrl: undefined }) as MdxModule;
    cache.set(code, mod);
  }
  return mod;
}

export function MdxContent({ code, components }: { code: string; components: MDXComponents }) {
  const Content = load(code).default;
  return <Content components={components} />;
}
