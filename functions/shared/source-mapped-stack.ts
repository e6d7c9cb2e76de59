/**
 * Stack traces that name the source files and lines, worked out only when an error is logged.
 *
 * Node's `--enable-source-maps` parses a bundle's source map at every cold start (measured: ~25 ms
 * of a 300 KB bundle's import, about a fifth of it) to be ready for a stack trace most invocations
 * never print. Reading the map the first time an error is logged costs that once, in the
 * environment that has an error to tell. Positions with no map (or no bundle) stay as they are.
 *
 * @example
 * logger.error('unhandled error', error); // stack: "at handle (functions/data/get-document.ts:10:3)"
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

const maps = new Map<string, SourceMap | undefined>();

function mapOf(file: string): SourceMap | undefined {
  if (!maps.has(file)) {
    try {
      maps.set(file, new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8'))));
    } catch {
      maps.set(file, undefined);
    }
  }
  return maps.get(file);
}

/** `stack` with each position in a bundle (`…/index.mjs:1:2345`) replaced by its source position. */
export function sourceMappedStack(stack: string): string {
  return stack.replace(/((?:file:\/\/)?\/[^\s():]+\.mjs):(\d+):(\d+)/g, (position, file: string, line: string, column: string) => {
    const map = mapOf(file.startsWith('file:') ? fileURLToPath(file) : file);
    const entry = map?.findEntry(Number(line) - 1, Number(column) - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number } | undefined;
    if (!entry?.originalSource) return position;
    // Sources are relative to the map (`../../functions/…`): the project-relative path reads best.
    const source = entry.originalSource.replace(/^(?:file:\/\/)?(?:\.\.\/)+/, '');
    return `${source}:${entry.originalLine! + 1}:${entry.originalColumn! + 1}`;
  });
}
