/**
 * test/vectors/ holds public data copied byte for byte from upstream (sources and licences in
 * test/vectors/README.md). SHA256SUMS pins every data file: a changed byte (a reformat, a
 * line-ending conversion), a missing file or a file nobody listed fails here. Running
 * `sha256sum -c SHA256SUMS` in test/vectors/ checks the same sums.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { VECTORS_DIR, readVectorText } from './vectors.ts';

// The two files that describe the data rather than being data.
const NOT_DATA = new Set(['README.md', 'SHA256SUMS']);
const LINE = /^([0-9a-f]{64}) {2}(\S+)$/;

function dataFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .filter((p) => !NOT_DATA.has(p))
    .sort();
}

/** Every way `dir` disagrees with its SHA256SUMS, one line each; empty when it agrees. */
function checkSums(dir: string): string[] {
  const listed = new Map<string, string>();
  const problems: string[] = [];
  for (const line of readFileSync(join(dir, 'SHA256SUMS'), 'utf8').split('\n').filter(Boolean)) {
    const m = LINE.exec(line);
    if (!m) {
      problems.push(`malformed line: ${line}`);
      continue;
    }
    listed.set(m[2], m[1]);
  }
  const present = new Set(dataFiles(dir));
  for (const [path, sum] of listed) {
    if (!present.has(path)) {
      problems.push(`missing: ${path}`);
      continue;
    }
    const actual = createHash('sha256')
      .update(readFileSync(join(dir, path)))
      .digest('hex');
    if (actual !== sum) problems.push(`changed: ${path}`);
  }
  for (const path of present) if (!listed.has(path)) problems.push(`unlisted: ${path}`);
  return problems;
}

const root = fileURLToPath(VECTORS_DIR).replace(/\/$/, '');

describe('test/vectors/SHA256SUMS', () => {
  it('lists the 22 vector files the suites read', () => {
    expect(dataFiles(root)).toHaveLength(22);
  });

  it('matches every byte of every file, and lists every file', () => {
    expect(checkSums(root)).toEqual([]);
  });
});

describe('the checksum check itself', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function copyWithSums(files: Record<string, string>): string {
    dir = mkdtempSync(join(tmpdir(), 'wp-vectors-'));
    const sums = Object.entries(files).map(([name, text]) => {
      writeFileSync(join(dir, name), text);
      return `${createHash('sha256').update(text).digest('hex')}  ${name}\n`;
    });
    writeFileSync(join(dir, 'SHA256SUMS'), sums.join(''));
    return dir;
  }

  it('passes an untouched copy', () => {
    expect(checkSums(copyWithSums({ 'a.json': '[1]', 'b.json': '[2]' }))).toEqual([]);
  });

  it('catches a changed byte, a missing file and an unlisted file', () => {
    const d = copyWithSums({ 'a.json': '[1]', 'b.json': '[2]' });
    writeFileSync(join(d, 'a.json'), '[3]');
    rmSync(join(d, 'b.json'));
    writeFileSync(join(d, 'c.json'), '[4]');
    expect(checkSums(d)).toEqual(['changed: a.json', 'missing: b.json', 'unlisted: c.json']);
  });

  it('catches a malformed line', () => {
    const d = copyWithSums({ 'a.json': '[1]' });
    writeFileSync(join(d, 'SHA256SUMS'), 'not a sum\n', { flag: 'a' });
    expect(checkSums(d)).toEqual(['malformed line: not a sum']);
  });
});

describe('readVectorText', () => {
  it('refuses a path that leaves test/vectors', () => {
    expect(() => readVectorText('../support/vectors.ts')).toThrow(/inside test\/vectors/);
    expect(() => readVectorText('/etc/passwd')).toThrow(/inside test\/vectors/);
  });
});
