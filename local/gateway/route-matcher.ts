/**
 * Matches requests to route keys the way API Gateway HTTP APIs do: the most specific route wins
 * (literal segments before `{parameters}`), `{proxy+}` is greedy, and `$default` takes the rest.
 */
export type MatchableRoute<T> = { method: string; path: string; target: T };
export type RouteMatch<T> = { target: T; routeKey: string; pathParameters: Record<string, string> };

type Compiled<T> = MatchableRoute<T> & { pattern: RegExp; names: string[]; literalSegments: number };

export class RouteMatcher<T> {
  private readonly routes: Compiled<T>[];

  constructor(routes: readonly MatchableRoute<T>[], private readonly fallback: T) {
    this.routes = routes
      .map((route) => compile(route))
      .sort((a, b) => b.literalSegments - a.literalSegments || b.path.length - a.path.length);
  }

  match(method: string, path: string): RouteMatch<T> {
    for (const route of this.routes) {
      if (route.method !== method && route.method !== 'ANY') continue;
      const found = route.pattern.exec(path);
      if (!found) continue;
      const values = found.slice(1).map(safeDecode);
      // A malformed escape (`%zz`) matches no route: the request goes to $default, as a 404.
      if (values.some((value) => value === undefined)) continue;
      const pathParameters = Object.fromEntries(route.names.map((name, i) => [name, values[i]!]));
      return { target: route.target, routeKey: `${route.method} ${route.path}`, pathParameters };
    }
    return { target: this.fallback, routeKey: '$default', pathParameters: {} };
  }
}

function compile<T>(route: MatchableRoute<T>): Compiled<T> {
  const names: string[] = [];
  let literalSegments = 0;
  const source = route.path
    .split('/')
    .map((segment) => {
      const greedy = /^\{(\w+)\+\}$/.exec(segment);
      if (greedy) {
        names.push(greedy[1]!);
        return '(.+)';
      }
      const parameter = /^\{(\w+)\}$/.exec(segment);
      if (parameter) {
        names.push(parameter[1]!);
        return '([^/]+)';
      }
      literalSegments++;
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { ...route, pattern: new RegExp(`^${source}$`), names, literalSegments };
}

function safeDecode(text: string | undefined): string | undefined {
  try {
    return decodeURIComponent(text ?? '');
  } catch {
    return undefined;
  }
}
