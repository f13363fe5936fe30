import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { publint } from 'publint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packWorkspaces, PUBLISHED_PACKAGES, repositoryRoot, type PackedPackage } from '../fixtures/packed-workspaces.js';

interface Manifest {
  name: string;
  version: string;
  type?: string;
  license?: string;
  keywords?: string[];
  repository?: { type: string; url: string; directory: string };
  engines?: { node?: string };
  exports?: Record<string, Record<string, string>>;
  bin?: Record<string, string>;
}

// What `npm publish` would ship, checked file by file: a user of the registry gets these tarballs.
describe('the packed packages', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'shardflow-pack-'));
  let packed: PackedPackage[] = [];
  const unpacked = (name: string): string => join(workDir, 'unpacked', name.replace('/', '+'), 'package');
  const manifest = (name: string): Manifest => JSON.parse(readFileSync(join(unpacked(name), 'package.json'), 'utf8')) as Manifest;

  beforeAll(async () => {
    packed = await packWorkspaces(workDir);
    for (const entry of packed) {
      mkdirSync(dirname(unpacked(entry.name)), { recursive: true });
      execFileSync('tar', ['-xzf', entry.tarball, '-C', dirname(unpacked(entry.name))]);
    }
  }, 300_000);
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it('are the published packages', () => {
    expect(packed.map((entry) => entry.name).sort()).toEqual([...PUBLISHED_PACKAGES].sort());
  });

  it.each(PUBLISHED_PACKAGES)('%s ships a README, the Apache-2.0 LICENSE, ESM with types, and no tests', (name) => {
    const files = packed.find((entry) => entry.name === name)?.files ?? [];
    expect(files).toEqual(expect.arrayContaining(['README.md', 'LICENSE', 'package.json', 'dist/index.js', 'dist/index.d.ts']));
    expect(readFileSync(join(unpacked(name), 'LICENSE'), 'utf8')).toContain('Apache License');
    expect(files.filter((file) => /(^|\/)test\/|\.test\.|\.tsbuildinfo$/.test(file))).toEqual([]);
    const pkg = manifest(name);
    expect(pkg.type).toBe('module');
    expect(pkg.license).toBe('Apache-2.0');
    expect(pkg.exports?.['.']).toMatchObject({ types: './dist/index.d.ts', default: './dist/index.js' });
  });

  it.each(PUBLISHED_PACKAGES)('%s names its repository, the Node lines it supports, and keywords', (name) => {
    const pkg = manifest(name);
    expect(pkg.repository).toMatchObject({ type: 'git', directory: expect.stringMatching(/^packages\//) as unknown });
    expect(pkg.repository?.url).toMatch(/^git\+https:\/\/.+\.git$/);
    expect(pkg.engines?.node).toBe('>=22.12');
    expect(pkg.keywords?.length).toBeGreaterThan(3);
  });

  it.each(PUBLISHED_PACKAGES)('%s: every source map points at files the tarball holds', (name) => {
    const files = new Set(packed.find((entry) => entry.name === name)?.files ?? []);
    const maps = [...files].filter((file) => file.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(10);
    const dangling = maps.flatMap((map) => {
      const { sources } = JSON.parse(readFileSync(join(unpacked(name), map), 'utf8')) as { sources: string[] };
      return sources.map((source) => posix.normalize(posix.join(posix.dirname(map), source))).filter((source) => !files.has(source)).map((source) => `${map} -> ${source}`);
    });
    expect(dangling).toEqual([]);
  });

  it.each(PUBLISHED_PACKAGES)('%s is publint-clean, suggestions included', async (name) => {
    const { messages } = await publint({ pkgDir: unpacked(name), level: 'suggestion', pack: false });
    expect(messages).toEqual([]);
  });

  it.each(PUBLISHED_PACKAGES)('%s: the types resolve for ESM and bundlers (are-the-types-wrong); only CommonJS and node10 resolution are flagged', async (name) => {
    const tarball = packed.find((entry) => entry.name === name)?.tarball as string;
    // Exits non-zero, failing the test, on any problem the esm-only profile does not ignore.
    const attw = await promisify(execFile)('npx', ['attw', tarball, '--profile', 'esm-only', '--format', 'json'], { cwd: repositoryRoot, encoding: 'utf8', timeout: 120_000 });
    const report = JSON.parse(attw.stdout) as { problems: Record<string, Array<{ resolutionKind?: string }>> };
    // ESM-only: what is left is TypeScript's CommonJS mode (must use import()) and node10, which
    // knows no subpath exports; the README says so. Any ESM or bundler problem fails the test.
    const problems = Object.values(report.problems).flat();
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.filter((problem) => problem.resolutionKind !== 'node16-cjs' && problem.resolutionKind !== 'node10')).toEqual([]);
  });

  it.each(PUBLISHED_PACKAGES)('%s loads with require() on this Node, as its README says', (name) => {
    const result = spawnSync(process.execPath, ['-e', `const m = require(${JSON.stringify(name)}); if (Object.keys(m).length < 5) process.exit(3);`], { cwd: repositoryRoot, encoding: 'utf8' });
    expect(result.stderr.replace(/.*ExperimentalWarning.*\n|.*--trace-warnings.*\n/g, '')).toBe('');
    expect(result.status).toBe(0);
  });

  it("a MySQL user's code compiles with the oldest mysql2 3.x (3.0.0) and without pg installed", async () => {
    const consumer = join(workDir, 'mysql-consumer');
    mkdirSync(consumer);
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'mysql-consumer', private: true, type: 'module' }));
    // skipLibCheck, as most projects have it: mysql2 3.0.0's own declarations do not compile without it.
    writeFileSync(join(consumer, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', noEmit: true, skipLibCheck: true, types: ['node'] },
      files: ['index.ts'],
    }));
    copyFileSync(fileURLToPath(new URL('./consumer/mysql-consumer.ts', import.meta.url)), join(consumer, 'index.ts'));
    const tarballs = packed.filter((entry) => entry.name !== '@shardflow/testkit').map((entry) => entry.tarball);
    await promisify(execFile)('npm', ['install', '--no-audit', '--no-fund', ...tarballs, 'mysql2@3.0.0', 'kafkajs@2', '@types/node@20'], { cwd: consumer, encoding: 'utf8', timeout: 300_000 });
    expect(JSON.parse(readFileSync(join(consumer, 'node_modules', 'mysql2', 'package.json'), 'utf8'))).toMatchObject({ version: '3.0.0' });
    expect(existsSync(join(consumer, 'node_modules', 'pg'))).toBe(false);
    const tsc = spawnSync(process.execPath, [join(repositoryRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', consumer], { encoding: 'utf8' });
    expect(tsc.stdout).toBe('');
    expect(tsc.status).toBe(0);
  }, 360_000);

  it.each([
    ['@shardflow/testkit', 'shardflow-services'],
    ['@shardflow/outbox-relay', 'shardflow-outbox'],
  ])('%s exports the %s command, which prints its version', (name, command) => {
    const pkg = manifest(name);
    const bin = pkg.bin?.[command] as string;
    expect(readFileSync(join(unpacked(name), bin), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
    // The built file in the checkout is the same file; run there, where its dependencies resolve.
    const packageDir = join(repositoryRoot, 'packages', name.replace('@shardflow/', ''));
    expect(execFileSync(process.execPath, [join(packageDir, bin), '--version'], { encoding: 'utf8' }).trim()).toBe(pkg.version);
  });
});
