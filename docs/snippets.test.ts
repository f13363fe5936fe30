import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Every TypeScript block in the docs and the package READMEs must be the shown part of a file under docs/snippets, which
// the root typecheck compiles: a doc example that stops compiling fails the build.
const docsDir = fileURLToPath(new URL('.', import.meta.url));
const rootDir = join(docsDir, '..');

function files(dir: string, suffix: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name), suffix) : entry.name.endsWith(suffix) ? [join(dir, entry.name)] : []);
}

function shownPart(file: string): string {
  return (readFileSync(file, 'utf8').split('// snippet-end')[0] as string).trim();
}

const snippets = new Map(files(join(docsDir, 'snippets'), '.ts').map((file) => [shownPart(file), relative(rootDir, file)]));
const packageReadmes = readdirSync(join(rootDir, 'packages')).map((name) => join(rootDir, 'packages', name, 'README.md'));
const documents = [join(rootDir, 'README.md'), ...packageReadmes, ...files(docsDir, '.md')];
const blocks = documents.flatMap((document) =>
  [...readFileSync(document, 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => ({ document: relative(rootDir, document), code: (match[1] as string).trim() })));

describe('documentation snippets', () => {
  it('finds the snippets and the blocks', () => {
    expect(snippets.size).toBeGreaterThan(3);
    expect(blocks.length).toBeGreaterThanOrEqual(snippets.size);
  });

  it.each(blocks.map((block, index) => [`${block.document} #${index}`, block] as const))('%s is a compiled snippet', (_name, block) => {
    expect(snippets.has(block.code), `no file under docs/snippets matches this block:\n${block.code.slice(0, 300)}`).toBe(true);
  });

  it('every snippet file is shown somewhere', () => {
    const shown = new Set(blocks.map((block) => block.code));
    expect([...snippets].filter(([code]) => !shown.has(code)).map(([, file]) => file)).toEqual([]);
  });
});
