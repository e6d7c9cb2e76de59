/**
 * Local mode's HTTP API: the LocalGateway built from the route table, with the JWT authorizer's
 * rules for the local user pool, on 127.0.0.1.
 */
import { createAccessTokenVerifier } from '../../functions/adapters/access-token-verifier.js';
import { routeFunctionName, type RouteDefinition } from '../../lib/routes.js';
import { LocalGateway, type LocalRouteHandler, type UpgradeHandler } from './local-gateway.js';

export type StartGatewayOptions = {
  /** 0 picks a free port. */
  port: number;
  routes: readonly RouteDefinition[];
  /** What no route matches (API Gateway's `$default`). */
  defaultRoute: RouteDefinition;
  /** The pool whose access tokens the authorizer accepts. */
  userPool: { userPoolId: string; userPoolClientId: string; endpoint: string };
  /** Runs a route's function (the local Lambda runtime's invoke). */
  invoke: (functionName: string, event: unknown) => Promise<unknown>;
  /** The stage's throttle (requests a second, burst). */
  throttle: { rateLimit: number; burstLimit: number };
  localRoutes?: LocalRouteHandler;
  /** WebSocket upgrades (local mode's realtime API). */
  upgrade?: UpgradeHandler;
  log?: (line: string) => void;
};

export type StartedGateway = { url: string; stop(): Promise<void> };

export async function startGateway(options: StartGatewayOptions): Promise<StartedGateway> {
  const target = (route: RouteDefinition) => ({
    functionName: routeFunctionName(route),
    auth: route.operation.auth,
    throttle: route.throttle,
  });
  const gateway = new LocalGateway({
    routes: options.routes.map((route) => ({ method: route.operation.method, path: route.operation.path, target: target(route) })),
    // API Gateway's `$default` route has no authorizer: the function answers 404 to everyone.
    defaultRoute: { ...target(options.defaultRoute), auth: 'none' },
    invoke: options.invoke,
    // The authorizer's own checks; the function refuses non-access tokens, as in the cloud.
    verifier: createAccessTokenVerifier({
      userPoolId: options.userPool.userPoolId,
      clientId: options.userPool.userPoolClientId,
      cognitoEndpoint: options.userPool.endpoint,
      tokenUse: 'any',
    }),
    allowedOrigins: ['*'],
    throttle: options.throttle,
    localRoutes: options.localRoutes,
    upgrade: options.upgrade,
    log: options.log,
  });
  const url = await gateway.start(options.port);
  return { url, stop: () => gateway.stop() };
}
