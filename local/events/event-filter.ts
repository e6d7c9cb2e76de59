/**
 * Lambda event filtering (the subset our triggers use): a pattern matches when every key it names
 * matches; a list of values matches when the event's value is one of them. Patterns are OR-ed.
 */
export type FilterPattern = { [key: string]: FilterPattern | readonly unknown[] };

export function matchesPattern(event: unknown, pattern: FilterPattern): boolean {
  if (!event || typeof event !== 'object') return false;
  const record = event as Record<string, unknown>;
  return Object.entries(pattern).every(([key, expected]) =>
    Array.isArray(expected) ? expected.includes(record[key]) : matchesPattern(record[key], expected as FilterPattern),
  );
}

export function matchesAny(event: unknown, patterns: readonly FilterPattern[]): boolean {
  return patterns.length === 0 || patterns.some((pattern) => matchesPattern(event, pattern));
}
