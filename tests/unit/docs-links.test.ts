import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../scripts/repo-paths';

const docsDir = path.join(repoRoot, 'docs');
const documents = [
  path.join(repoRoot, 'README.md'),
  ...readdirSync(docsDir)
    .filter((name) => name.endsWith('.md'))
    .map((name) => path.join(docsDir, name)),
];

/** The markdown without fenced code blocks and inline code, where brackets and `#` lines are not links or headings. */
function proseOf(markdown: string): string {
  return markdown.replace(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** GitHub's anchor for a heading: lowercase, punctuation dropped, each space a hyphen, repeats numbered. */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const withoutFences = markdown.replace(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, '');
  for (const [, text] of withoutFences.matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
    const plain = text.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/`/g, '');
    const slug = plain
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

interface Link {
  from: string;
  target: string;
}

function relativeLinks(file: string): Link[] {
  const from = path.relative(repoRoot, file);
  return [...proseOf(readFileSync(file, 'utf-8')).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map(([, target]) => ({ from, target }))
    .filter(({ target }) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

/** Why the link does not resolve, or undefined when it does. */
function brokenReason({ from, target }: Link): string | undefined {
  const [pathPart, anchor] = target.split('#', 2);
  const resolved = pathPart === '' ? path.join(repoRoot, from) : path.resolve(repoRoot, path.dirname(from), decodeURI(pathPart));
  if (!existsSync(resolved)) return 'no such file';
  if (anchor === undefined || !resolved.endsWith('.md')) return undefined;
  return headingAnchors(readFileSync(resolved, 'utf-8')).has(anchor) ? undefined : `no heading #${anchor}`;
}

describe('documentation links', () => {
  const links = documents.flatMap(relativeLinks);

  test('the README and docs/ link to one another', () => {
    expect(links.some(({ from, target }) => from === 'README.md' && target.startsWith('docs/'))).toBe(true);
    expect(links.some(({ from, target }) => from.startsWith('docs') && target.startsWith('../README.md#'))).toBe(true);
  });

  test('every relative link leads to an existing file, and every #anchor to a heading of it', () => {
    const broken = links.flatMap((link) => {
      const reason = brokenReason(link);
      return reason ? [`${link.from}: ${link.target} (${reason})`] : [];
    });
    expect(broken).toEqual([]);
  });

  test('anchors follow GitHub: punctuation dropped, code kept, repeated headings numbered', () => {
    expect(headingAnchors('# Deadlines and 503\n## `a2.` List, latency\n## Notes\n## Notes\n```sh\n# not a heading\n```\n')).toEqual(
      new Set(['deadlines-and-503', 'a2-list-latency', 'notes', 'notes-1']),
    );
  });
});
