import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The layering the README describes, checked on every import (type-only ones too, since a
 * type import still ties the two modules together for a reader): no import circle anywhere,
 * `shared/` imports neither `functions/`, `dev/` nor `@azure/functions`, and `functions/`
 * does not import `dev/` (tests aside, which run the app on the local driver).
 */
const ROOT = path.resolve(__dirname, '../..');
const TREES = ['functions', 'shared', 'dev', 'bench', 'test'];
const options: ts.CompilerOptions = { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext };

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(full);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** Each file's imports: project files by path relative to the root, packages by name. */
const imports = new Map<string, string[]>();
for (const file of TREES.flatMap((tree) => sourceFiles(path.join(ROOT, tree)))) {
  const specifiers = ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((f) => f.fileName);
  imports.set(
    path.relative(ROOT, file),
    specifiers.map((specifier) => {
      const resolved = ts.resolveModuleName(specifier, file, options, ts.sys).resolvedModule;
      return resolved && !resolved.isExternalLibraryImport ? path.relative(ROOT, resolved.resolvedFileName) : specifier;
    }),
  );
}

/** The first import circle found, as the files around it, or undefined. */
function findCircle(): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const trail: string[] = [];
  const visit = (file: string): string[] | undefined => {
    if (state.get(file) === 'done') return undefined;
    if (state.get(file) === 'visiting') return [...trail.slice(trail.indexOf(file)), file];
    state.set(file, 'visiting');
    trail.push(file);
    for (const target of imports.get(file) ?? []) {
      const circle = imports.has(target) ? visit(target) : undefined;
      if (circle) return circle;
    }
    trail.pop();
    state.set(file, 'done');
    return undefined;
  };
  for (const file of imports.keys()) {
    const circle = visit(file);
    if (circle) return circle;
  }
  return undefined;
}

const importsOf = (tree: string, forbidden: (target: string) => boolean, skip = (_file: string) => false) =>
  [...imports].filter(([file]) => file.startsWith(`${tree}/`) && !skip(file)).flatMap(([file, targets]) => targets.filter(forbidden).map((t) => `${file} -> ${t}`));

describe('the layout', () => {
  it('reads the tree', () => {
    expect(imports.size).toBeGreaterThan(200);
  });

  it('has no import circle', () => {
    expect(findCircle()).toBeUndefined();
  });

  it('keeps shared/ free of the Functions runtime and of what runs it', () => {
    expect(importsOf('shared', (t) => t.startsWith('functions/') || t.startsWith('dev/') || t === '@azure/functions', (f) => f.endsWith('.test.ts'))).toEqual([]);
  });

  it('keeps functions/ free of the development runtime', () => {
    expect(importsOf('functions', (t) => t.startsWith('dev/'), (f) => f.endsWith('.test.ts'))).toEqual([]);
  });
});
