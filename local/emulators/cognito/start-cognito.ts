/**
 * Local Cognito user pool: cognito-local 5.3's services composed in-process (never its CLI), with
 * the corrections in this folder that make production handlers see what real Cognito answers, and
 * tokens that the production verifier (aws-jwt-verify) accepts unchanged.
 *
 * Steps of `startCognito`, undone in reverse by `stop()`:
 *   1. open the data store (`<dataDir>/db/*.json`, cognito-local's StormDB files, written atomically)
 *   2. find or create the pool (`<region>_<9 alphanumerics>`), its app client and groups
 *   3. compose cognito-local's services with this layer's token issuer, email delivery and triggers
 *   4. listen on 127.0.0.1 and serve cognito-local's app behind the correcting router
 */
import { randomInt } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createServer } from 'cognito-local/lib/server/server.js';
import type { Config } from 'cognito-local/lib/server/config.js';
import { LambdaService, TriggersService, type Services } from 'cognito-local/lib/services/index.js';
import { CognitoServiceFactoryImpl } from 'cognito-local/lib/services/cognitoService.js';
import { UserPoolServiceFactoryImpl } from 'cognito-local/lib/services/userPoolService.js';
import { createAccessTokenVerifier } from '../../../functions/adapters/access-token-verifier.js';
import { AtomicDataStoreFactory } from './atomic-data-store.js';
import { EmailMessages, type LocalEmail } from './email-messages.js';
import { faithfulRouter } from './faithful-router.js';
import { lambdaClientFor, preTokenGenerationTrigger, type InvokeFunction, type TriggerFunctions } from './lambda-triggers.js';
import { seedPool } from './pool-setup.js';
import { CognitoTokenIssuer } from './token-issuer.js';

export type LocalCognito = {
  /** `http://127.0.0.1:<port>`: the SDK endpoint (AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER). */
  endpoint: string;
  userPoolId: string;
  userPoolClientId: string;
  region: string;
  /** Closes the server; resolves once every change is on disk. */
  stop(): Promise<void>;
};

export type StartCognitoOptions = {
  /** Where the pool lives; the same folder gives the same pool id, client id and users. */
  dataDir: string;
  /** @default 0 (a free port) */
  port?: number;
  /** @default 'us-east-1' */
  region?: string;
  /** Groups to create when missing. */
  groups?: readonly string[];
  /** Every email the pool sends: confirmation and reset codes, temporary passwords. */
  onEmail?: (email: LocalEmail) => void;
  /** Trigger → function name, as in the user pool's `LambdaConfig`; needs `invoke`. */
  triggers?: TriggerFunctions;
  /** Runs a trigger function in-process (local mode: its Lambda runtime's `invoke`). */
  invoke?: InvokeFunction;
  /** The pool's clock (code lifetimes, token times). Tests move it. @default () => new Date() */
  clock?: () => Date;
};

type CognitoLocalLogger = Parameters<typeof createServer>[1];

/**
 * @example
 * const cognito = await startCognito({ dataDir: '.lambase/cognito', groups: ['admins'], onEmail: (m) => console.log(m.subject) });
 * process.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER = cognito.endpoint;
 */
export async function startCognito(options: StartCognitoOptions): Promise<LocalCognito> {
  const region = options.region ?? 'us-east-1';
  const clock = options.clock ?? (() => new Date());
  const triggerFunctions = options.triggers ?? {};
  if (Object.keys(triggerFunctions).length > 0 && !options.invoke) {
    throw new Error('startCognito: `triggers` need an `invoke` to run them with');
  }
  // Without triggers (checked above) nothing is ever invoked.
  const invoke: InvokeFunction = options.invoke ?? ((name) => Promise.reject(new Error(`${name} is not a trigger of this pool`)));
  const logger = quietLogger();
  const ctx = { logger };

  // 1. Data store
  const dataDirectory = path.resolve(options.dataDir, 'db');
  await mkdir(dataDirectory, { recursive: true });
  const store = new AtomicDataStoreFactory(dataDirectory);
  const dateClock = { get: clock };

  // 2. Pool, client, groups
  const cognito = await new CognitoServiceFactoryImpl(
    dataDirectory,
    store,
    new UserPoolServiceFactoryImpl(dateClock, store),
  ).create(ctx, {});
  const { userPool, client } = await seedPool(ctx, cognito, { region, groups: options.groups ?? [], now: clock() });
  const userPoolId = userPool.options.Id;
  const issuerDomain = `https://cognito-idp.${region}.amazonaws.com`;

  // 3. Services
  const config: Config = {
    LambdaClient: { region },
    TriggerFunctions: triggerFunctions,
    UserPoolDefaults: {},
    TokenConfig: { IssuerDomain: issuerDomain },
    ServerConfig: { hostname: '127.0.0.1', port: options.port ?? 0, https: false, development: false },
  };
  const lambda = new LambdaService(triggerFunctions, lambdaClientFor(invoke, region));
  const noKms = { encrypt: () => Promise.reject(new Error('CustomEmailSender is not emulated')) };
  const triggers = new TriggersService(dateClock, cognito, lambda, noKms as unknown as ConstructorParameters<typeof TriggersService>[3]);
  const preTokenFunction = triggerFunctions.PreTokenGeneration;
  const issuer = new CognitoTokenIssuer({
    issuer: `${issuerDomain}/${userPoolId}`,
    clock,
    overrideClaims: preTokenFunction ? preTokenGenerationTrigger(invoke, preTokenFunction, { region, userPoolId }) : undefined,
  });
  const services: Services = {
    clock: dateClock,
    cognito,
    config,
    messages: new EmailMessages(triggers, options.onEmail ?? (() => undefined)),
    otp: () => String(randomInt(1_000_000)).padStart(6, '0'),
    tokenGenerator: issuer,
    triggers,
  };

  // 4. Server
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : options.port}`;
  const router = faithfulRouter({
    services,
    userPool,
    issuer,
    verifier: createAccessTokenVerifier({ userPoolId, clientId: client.ClientId, cognitoEndpoint: endpoint }),
    now: () => clock().getTime(),
    challengeSessions: new Map(),
  });
  const app = createServer(router, logger, config.ServerConfig, services).application as http.RequestListener;
  const discoveryPath = `/${userPoolId}/.well-known/openid-configuration`;
  server.on('request', (request: http.IncomingMessage, response: http.ServerResponse) => {
    // cognito-local's discovery document names localhost:9229 and an http issuer.
    if (request.method === 'GET' && request.url === discoveryPath) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          issuer: `${issuerDomain}/${userPoolId}`,
          jwks_uri: `${endpoint}/${userPoolId}/.well-known/jwks.json`,
          id_token_signing_alg_values_supported: ['RS256'],
          subject_types_supported: ['public'],
          response_types_supported: ['code', 'token'],
        }),
      );
      return;
    }
    app(request, response);
  });

  let stopping: Promise<void> | undefined;
  return {
    endpoint,
    userPoolId,
    userPoolClientId: client.ClientId,
    region,
    stop: () =>
      (stopping ??= (async () => {
        await new Promise<void>((resolve, reject) => {
          server.close((error) => (error ? reject(error) : resolve()));
          server.closeAllConnections();
        });
        await store.flushed();
      })()),
  };
}

/**
 * cognito-local's pino logger at warn level (debug when DEBUG is set), with secrets redacted and
 * without the warning it logs for every Cognito error answered (a wrong password is not a problem).
 */
function quietLogger(): CognitoLocalLogger {
  const debug = Boolean(process.env.DEBUG);
  const requireFromCognitoLocal = createRequire(createRequire(import.meta.url).resolve('cognito-local/package.json'));
  const pino = requireFromCognitoLocal('pino') as (options: object) => CognitoLocalLogger;
  return pino({
    level: debug ? 'debug' : 'warn',
    redact: {
      paths: ['user.Password', 'user.RefreshTokens', 'value.Password', 'value.RefreshTokens', 'refreshToken', 'store', 'config', 'plaintext'],
      censor: '[redacted]',
    },
    hooks: {
      logMethod(this: unknown, args: unknown[], method: (...logArgs: unknown[]) => void) {
        const answeredError = args.some((arg) => typeof arg === 'string' && arg.startsWith('Error handling target'));
        if (answeredError && !debug) return;
        method.apply(this, args);
      },
    },
  });
}
