/**
 * No module of lib/ or functions/ reaches itself through its imports (type-only imports count:
 * they still tie the files' meaning together). A loop like lib/routes.ts ⇄ lib/routes/* ⇄
 * lib/triggers.ts makes load order matter and every file of the loop a place to change at once.
 */
import { describe, expect, it } from 'vitest';
import { importsOf, sourceFiles } from '../../fixtures/source-imports.js';

/** The imports among `files` (imports of other files are left out). */
function importGraph(files: readonly string[]): Map<string, string[]> {
  const known = new Set(files);
  return new Map(files.map((file) => [file, importsOf(file).flatMap((entry) => (entry.target && known.has(entry.target) ? [entry.target] : []))]));
}

/** The loops of `edges`: each strongly connected component of more than one file, or a file importing itself. */
function importLoops(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  // Tarjan's algorithm.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const loops: string[][] = [];
  const visit = (file: string) => {
    index.set(file, index.size);
    low.set(file, index.get(file)!);
    stack.push(file);
    onStack.add(file);
    for (const next of edges.get(file)!) {
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(file, Math.min(low.get(file)!, index.get(next)!));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || edges.get(file)!.includes(file)) loops.push(component.sort());
  };
  for (const file of edges.keys()) if (!index.has(file)) visit(file);
  return loops;
}

describe('import loops', () => {
  it('are found when they exist (the check can fail)', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts', 'd.ts']],
      ['d.ts', []],
      ['e.ts', ['e.ts']],
    ]);
    expect(importLoops(graph)).toEqual([['a.ts', 'b.ts', 'c.ts'], ['e.ts']]);
  });

  it.each(['lib', 'functions'])('do not exist in %s/', (folder) => {
    expect(importLoops(importGraph(sourceFiles(folder)))).toEqual([]);
  });
});
