// MDX handling shared by the loader (validation, compilation at build time) and nothing else:
// the web app only *runs* the compiled function bodies this module produces, with the component
// registry of app/mdx/registry.tsx. Lessons are repository content; nothing a user sends is ever
// compiled or evaluated.
import { compile, createProcessor } from '@mdx-js/mdx';
import remarkGfm from 'remark-gfm';
import type { Code, Root, RootContent } from 'mdast';
import type {} from 'mdast-util-mdx';
import type { MdxJsxAttribute, MdxJsxExpressionAttribute, MdxJsxFlowElement } from 'mdast-util-mdx-jsx';
import { CALLOUT_KINDS, MDX_COMPONENTS, parseFenceMeta } from './schema.ts';
import { CAPTURE_PRESETS, isPresetName } from '../protocol/labview.ts';

/** A problem found in an MDX file, with its 1-based line when known. */
export interface MdxProblem { line?: number; message: string }

export interface MdxAnalysis {
  /** `<Exercise id>` values in document order, with their lines. */
  exercises: Array<{ id: string; line?: number }>;
  problems: MdxProblem[];
  /** The file did not parse; exercises is then empty and says nothing. */
  syntaxError?: boolean;
}

interface VFileLike { line?: number; place?: { line?: number; start?: { line?: number } }; reason?: string; message?: string }

/** The 1-based line of an @mdx-js/mdx (VFileMessage) error, when it has one. */
export function errorLine(err: unknown): number | undefined {
  const e = err as VFileLike;
  const inText = /\((\d+):\d+(?:-\d+:\d+)?\)\s*$/.exec(e?.reason ?? '');
  return e?.line ?? e?.place?.start?.line ?? e?.place?.line ?? (inText ? Number(inText[1]) : undefined);
}

export function errorReason(err: unknown): string {
  const e = err as VFileLike;
  return (e?.reason ?? e?.message ?? String(err)).replace(/\s*\(\d+:\d+(-\d+:\d+)?\)$/, '');
}

type AnyNode = RootContent | Root;
type Attr = MdxJsxAttribute | MdxJsxExpressionAttribute;

function children(node: AnyNode): RootContent[] {
  return 'children' in node && Array.isArray(node.children) ? (node.children as RootContent[]) : [];
}

function attr(attrs: Attr[], name: string): { value: string | null | undefined; isExpression: boolean } | undefined {
  const a = attrs.find((x): x is MdxJsxAttribute => x.type === 'mdxJsxAttribute' && x.name === name);
  if (!a) return undefined;
  if (a.value !== null && typeof a.value === 'object') return { value: undefined, isExpression: true };
  return { value: a.value, isExpression: false };
}

const COMMENT_ONLY = /^\s*\/\*[\s\S]*\*\/\s*$/;

/**
 * Parses one lesson MDX file and checks what the registry can render: no imports/exports, no
 * JavaScript expressions (comments are fine), only registry components, runnable fences on
 * hosts the lab has. Throws nothing; syntax errors come back as problems.
 */
export function analyzeMdx(source: string, hosts: number): MdxAnalysis {
  const problems: MdxProblem[] = [];
  const exercises: MdxAnalysis['exercises'] = [];
  let tree: Root;
  try {
    tree = createProcessor({ remarkPlugins: [remarkGfm] }).parse(source) as Root;
  } catch (err) {
    return { exercises, problems: [{ line: errorLine(err), message: `MDX syntax: ${errorReason(err)}` }], syntaxError: true };
  }
  const knownHost = (h: string): boolean => /^node\d+$/.test(h) && Number(h.slice(4)) >= 1 && Number(h.slice(4)) <= hosts;
  const hostWord = `this lab has ${hosts} host${hosts === 1 ? '' : 's'}`;

  const visit = (node: AnyNode, insideExercise: boolean): void => {
    const line = 'position' in node ? node.position?.start.line : undefined;
    switch (node.type) {
      case 'mdxjsEsm':
        problems.push({ line, message: 'lessons must not import or export anything; components come from the registry (Terminal, Exercise, Hint, Solution, Callout, Topology)' });
        return;
      case 'mdxFlowExpression':
      case 'mdxTextExpression':
        if (!COMMENT_ONLY.test(node.value)) problems.push({ line, message: `JavaScript expressions are not allowed in lessons ({${node.value.trim().slice(0, 40)}}); write the text, or a {/* comment */}` });
        return;
      case 'code': {
        const meta = parseFenceMeta(node.meta);
        if ('error' in meta) { problems.push({ line, message: `code fence: ${meta.error}` }); return; }
        if (meta.run) {
          if (meta.host === undefined && hosts > 1) problems.push({ line, message: `runnable code fence: name its host (e.g. \`\`\`bash run host=node2); ${hostWord}` });
          else if (meta.host !== undefined && !knownHost(meta.host)) problems.push({ line, message: `runnable code fence: host ${meta.host} does not exist; ${hostWord}` });
          if (node.value.trim() === '') problems.push({ line, message: 'runnable code fence is empty' });
        }
        return;
      }
      case 'mdxJsxFlowElement':
      case 'mdxJsxTextElement': {
        const name = node.name ?? '';
        if (name === '' ) { problems.push({ line, message: 'fragments (<>…</>) are not allowed in lessons' }); break; }
        if (/^[A-Z]/.test(name) && !(MDX_COMPONENTS as readonly string[]).includes(name)) {
          problems.push({ line, message: `<${name}> is not a lesson component (available: ${MDX_COMPONENTS.join(', ')})` });
          break;
        }
        const attrs = node.attributes as Attr[];
        if (attrs.some((a) => a.type === 'mdxJsxExpressionAttribute')) problems.push({ line, message: `<${name}>: spread attributes ({...x}) are not allowed` });
        for (const a of attrs) {
          if (a.type === 'mdxJsxAttribute' && a.value !== null && typeof a.value === 'object') {
            problems.push({ line, message: `<${name} ${a.name}={…}>: write attribute values as strings (${a.name}="…")` });
          }
        }
        if (name === 'Exercise') {
          const id = attr(attrs, 'id');
          if (!id || id.isExpression || !id.value) problems.push({ line, message: '<Exercise> needs an id="…" naming an exercise in lab.ts' });
          else exercises.push({ id: id.value, line });
          if (insideExercise) problems.push({ line, message: '<Exercise> cannot be nested in another <Exercise>' });
          for (const c of children(node)) visit(c, true);
          return;
        }
        if (name === 'Terminal') {
          const host = attr(attrs, 'host')?.value;
          if (host && !knownHost(host)) problems.push({ line, message: `<Terminal host="${host}">: host ${host} does not exist; ${hostWord}` });
        }
        if (name === 'PacketView') {
          const preset = attr(attrs, 'preset')?.value;
          if (!preset || !isPresetName(preset)) problems.push({ line, message: `<PacketView preset="${preset ?? ''}">: preset must be one of ${Object.keys(CAPTURE_PRESETS).join(', ')} (protocol/labview.ts)` });
          else if (!knownHost(CAPTURE_PRESETS[preset].host)) problems.push({ line, message: `<PacketView preset="${preset}"> watches ${CAPTURE_PRESETS[preset].host}; ${hostWord}` });
        }
        if (name === 'Callout') {
          const kind = attr(attrs, 'kind')?.value;
          if (kind && !(CALLOUT_KINDS as readonly string[]).includes(kind)) problems.push({ line, message: `<Callout kind="${kind}">: kind must be one of ${CALLOUT_KINDS.join(', ')}` });
        }
        break;
      }
      default:
        break;
    }
    for (const c of children(node)) visit(c, insideExercise);
  };
  visit(tree, false);
  return { exercises, problems };
}

/**
 * remark plugin: turns every fenced code block into `<CodeBlock lang meta code run host
 * interrupt>` so the registry renders Run/Copy buttons (remark-rehype would drop the meta).
 */
export function remarkLessonFences(options: { defaultHost: string }) {
  return (tree: Root): void => {
    const walk = (node: AnyNode): void => {
      const kids = children(node);
      for (let i = 0; i < kids.length; i++) {
        const k = kids[i]!;
        if (k.type === 'code') kids[i] = toCodeBlock(k, options.defaultHost) as unknown as RootContent;
        else walk(k);
      }
    };
    walk(tree);
  };
}

function toCodeBlock(node: Code, defaultHost: string): MdxJsxFlowElement {
  const meta = parseFenceMeta(node.meta);
  const ok = !('error' in meta) ? meta : { run: false, interrupt: false, host: undefined };
  const a = (name: string, value: string): MdxJsxAttribute => ({ type: 'mdxJsxAttribute', name, value });
  const attributes: MdxJsxAttribute[] = [a('code', node.value)];
  if (node.lang) attributes.push(a('lang', node.lang));
  if (ok.run) {
    attributes.push(a('run', 'true'), a('host', ok.host ?? defaultHost));
    if (ok.interrupt) attributes.push(a('interrupt', 'true'));
  }
  return { type: 'mdxJsxFlowElement', name: 'CodeBlock', attributes, children: [], position: node.position };
}

/** Compiles a lesson to a function body for `run()` from @mdx-js/mdx (see app/mdx/render.tsx). */
export async function compileLessonMdx(source: string, defaultHost: string): Promise<string> {
  const file = await compile(source, {
    outputFormat: 'function-body',
    development: false,
    // GFM: tables, strikethrough, autolinks, task lists — Markdown authors expect them.
    remarkPlugins: [remarkGfm, [remarkLessonFences, { defaultHost }]],
  });
  return String(file);
}
