/**
 * One real request for every function of the backend, for the bench's cold starts (each served by
 * a fresh Node process) and its memory run (each sent through the local gateway). Every request
 * reaches the emulators the way a user's would; some answer 4xx (a code that does not match, a
 * document that does not exist) after the same calls as a success would make. Requests that
 * consume something (signing a user up, deleting an account) get a fresh one per run.
 */
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { buildHttpApiEvent } from '../local/gateway/http-api-event.js';
import type { LocalBackend } from '../local/start-local.js';
import { entryOf } from '../build/function-build.js';
import type { Backend } from '../functions/core/config/define-backend.js';
import { allRoutes, defaultRoute, realtimeRoutes } from '../lib/routes.js';
import { buildWebSocketEvent, newConnectionId } from '../local/realtime/websocket-event.js';
import { allTriggers, type TriggerDefinition } from '../lib/triggers.js';
import { createUser, uniqueEmail, STRONG_PASSWORD, type TestUser } from '../test/fixtures/local-backend.js';

export type HttpRequestSpec = {
  method: string;
  path: string;
  body?: unknown;
  /** The caller: their access token is sent (optional-auth routes) or its claims given (required). */
  as?: TestUser;
};

export type FunctionRequest = {
  /** The function (construct id). */
  id: string;
  handler: string;
  /** The HTTP request (routes), or the event itself (triggers). */
  http?: HttpRequestSpec;
  event?: unknown;
};

/** Users and data the requests refer to, made once per bench. */
export type Fixtures = {
  user: TestUser;
  admin: TestUser;
  other: TestUser;
  fresh: () => Promise<TestUser>;
  noteId: string;
  /** Registers one more device of `user` (a new FCM token) and gives its id. */
  device: () => Promise<string>;
};

export async function makeFixtures(local: LocalBackend, api: (method: string, path: string, options: { as?: TestUser; body?: unknown }) => Promise<{ status: number; body: unknown }>): Promise<Fixtures> {
  const user = await createUser(local);
  const other = await createUser(local);
  const admin = await createUser(local, process.env.LAMBASE_ADMIN_EMAIL ?? uniqueEmail('admin'));
  const note = await api('POST', '/data/notes', { as: user, body: { title: 'bench' } });
  let devices = 0;
  const device = async () => {
    const token = `bench-${Date.now().toString(36)}-${devices++}-${'x'.repeat(140)}`;
    const registered = await api('POST', '/push/devices', { as: user, body: { platform: 'fcm', token } });
    return (registered.body as { deviceId: string }).deviceId;
  };
  await device();
  return { user, admin, other, fresh: () => createUser(local), noteId: (note.body as { id: string }).id, device };
}

/** The request each route function serves in run `run` (its operationId picks it). */
export async function routeRequest(operationId: string, fixtures: Fixtures, run: number): Promise<HttpRequestSpec | undefined> {
  const { user, admin, other, noteId } = fixtures;
  const email = uniqueEmail(`bench${run}`);
  const requests: Record<string, () => Promise<HttpRequestSpec> | HttpRequestSpec> = {
    getOpenApi: () => ({ method: 'GET', path: '/openapi.json' }),
    signUp: () => ({ method: 'POST', path: '/auth/sign-up', body: { email, password: STRONG_PASSWORD } }),
    confirmSignUp: () => ({ method: 'POST', path: '/auth/confirm-sign-up', body: { email: user.email, code: '000000' } }),
    resendConfirmation: () => ({ method: 'POST', path: '/auth/resend-confirmation', body: { email } }),
    signIn: () => ({ method: 'POST', path: '/auth/sign-in', body: { email: user.email, password: user.password } }),
    respondToChallenge: () => ({ method: 'POST', path: '/auth/respond-to-challenge', body: { email: user.email, session: 'bench', code: '000000' } }),
    refreshTokens: () => ({ method: 'POST', path: '/auth/refresh', body: { refreshToken: other.refreshToken } }),
    forgotPassword: () => ({ method: 'POST', path: '/auth/forgot-password', body: { email } }),
    resetPassword: () => ({ method: 'POST', path: '/auth/reset-password', body: { email: user.email, code: '000000', newPassword: STRONG_PASSWORD } }),
    signOut: async () => ({ method: 'POST', path: '/auth/sign-out', as: await fixtures.fresh() }),
    getMe: () => ({ method: 'GET', path: '/me', as: user }),
    updateMe: () => ({ method: 'PATCH', path: '/me', as: user, body: { name: `Bench ${run}` } }),
    changePassword: () => ({ method: 'POST', path: '/me/change-password', as: user, body: { currentPassword: 'Wrong-Horse-9-Battery', newPassword: STRONG_PASSWORD } }),
    exportMe: () => ({ method: 'GET', path: '/me/export', as: user }),
    deleteMe: async () => ({ method: 'DELETE', path: '/me', as: await fixtures.fresh() }),
    listUsers: () => ({ method: 'GET', path: '/admin/users?limit=5', as: admin }),
    addUserToGroup: () => ({ method: 'PUT', path: `/admin/users/${other.userId}/groups/bench`, as: admin }),
    removeUserFromGroup: () => ({ method: 'DELETE', path: `/admin/users/${other.userId}/groups/bench`, as: admin }),
    disableUser: () => ({ method: 'POST', path: `/admin/users/${other.userId}/disable`, as: admin }),
    enableUser: () => ({ method: 'POST', path: `/admin/users/${other.userId}/enable`, as: admin }),
    createDocument: () => ({ method: 'POST', path: '/data/notes', as: user, body: { title: `cold ${run}` } }),
    listDocuments: () => ({ method: 'GET', path: '/data/notes?limit=20', as: user }),
    queryDocuments: () => ({ method: 'POST', path: '/data/notes/query', as: user, body: { where: { pinned: false }, limit: 20 } }),
    getDocument: () => ({ method: 'GET', path: `/data/notes/${noteId}`, as: user }),
    updateDocument: () => ({ method: 'PATCH', path: `/data/notes/${noteId}`, as: user, body: { pinned: run % 2 === 0 } }),
    replaceDocument: () => ({ method: 'PUT', path: `/data/notes/${noteId}`, as: user, body: { title: 'bench' } }),
    deleteDocument: () => ({ method: 'DELETE', path: '/data/notes/does-not-exist', as: user }),
    batchDocuments: () => ({ method: 'POST', path: '/data/_batch', as: user, body: { operations: [{ op: 'create', collection: 'notes', data: { title: `batch ${run}` } }] } }),
    requestUpload: () => ({ method: 'POST', path: '/storage/uploads', as: user, body: { name: 'a.txt', contentType: 'text/plain', size: 5 } }),
    listFiles: () => ({ method: 'GET', path: '/storage/files', as: user }),
    getFile: () => ({ method: 'GET', path: '/storage/files/does-not-exist', as: user }),
    deleteFile: () => ({ method: 'DELETE', path: '/storage/files/does-not-exist', as: user }),
    registerDevice: () => ({ method: 'POST', path: '/push/devices', as: user, body: { platform: 'fcm', token: `bench-cold-${run}-${'x'.repeat(140)}` } }),
    listDevices: () => ({ method: 'GET', path: '/push/devices', as: user }),
    deleteDevice: async () => ({ method: 'DELETE', path: `/push/devices/${await fixtures.device()}`, as: user }),
    followTopic: () => ({ method: 'PUT', path: '/push/topics/posts', as: user }),
    unfollowTopic: () => ({ method: 'DELETE', path: '/push/topics/posts', as: user }),
    sendNotification: () => ({
      method: 'POST',
      path: '/push/send',
      as: admin,
      body: { to: { userIds: [user.userId], topic: 'posts' }, notification: { title: `Bench ${run}`, body: 'cold start' } },
    }),
    listNotifications: () => ({ method: 'GET', path: '/notifications', as: user }),
    markNotificationRead: () => ({ method: 'POST', path: '/notifications/does-not-exist/read', as: user }),
    reportLocation: () => ({ method: 'PUT', path: '/me/location', as: user, body: { lat: 48.8566 + run / 10_000, lng: 2.3522 } }),
    getLocation: () => ({ method: 'GET', path: '/me/location', as: user }),
    deleteLocation: () => ({ method: 'DELETE', path: '/me/location', as: other }),
    // The example backend's own HTTP function (lambase.config.ts `functions.stats`).
    stats: () => ({ method: 'GET', path: '/stats', as: user }),
    notFound: () => ({ method: 'GET', path: '/no/such/route' }),
  };
  return requests[operationId]?.();
}

/**
 * Every function's request for run `run`: the routes' (HTTP: the platform's and the user's HTTP
 * functions) and the triggers' (events: the platform's, the event dispatcher, the user's event and
 * scheduled functions).
 */
export async function functionRequests(local: LocalBackend, backend: Pick<Backend, 'functions'>, fixtures: Fixtures, run: number): Promise<FunctionRequest[]> {
  const requests: FunctionRequest[] = [];
  for (const route of [...allRoutes(backend), defaultRoute]) {
    const http = await routeRequest(route.operation.operationId, fixtures, run);
    if (!http) throw new Error(`The bench has no request for ${route.operation.operationId}: add one to bench/function-requests.ts`);
    requests.push({ id: entryOf(route).id, handler: route.handler, http });
  }
  // The WebSocket API's routes: a connection opened anonymously, a subscribe frame, its close.
  const connection = { connectionId: newConnectionId(), connectedAt: Date.now(), domainName: '127.0.0.1', sourceIp: '127.0.0.1', userAgent: 'bench' };
  const frames = {
    $connect: buildWebSocketEvent({ route: '$connect', connection }),
    $default: buildWebSocketEvent({ route: '$default', connection, body: JSON.stringify({ type: 'subscribe', id: `bench-${run}`, collection: 'posts' }) }),
    $disconnect: buildWebSocketEvent({ route: '$disconnect', connection, statusCode: 1000, reason: 'bench' }),
  };
  for (const route of realtimeRoutes) requests.push({ id: entryOf(route).id, handler: route.handler, event: frames[route.routeKey] });
  for (const trigger of allTriggers(backend)) {
    requests.push({ id: entryOf(trigger).id, handler: trigger.handler, event: triggerEvent(trigger, backend, local, fixtures.user, run) });
  }
  return requests;
}

function triggerEvent(trigger: TriggerDefinition, backend: Pick<Backend, 'functions'>, local: LocalBackend, user: TestUser, run: number): unknown {
  const { source } = trigger;
  // A fresh event id per run: a user function runs each event once, and a second delivery returns at once.
  const eventId = `bench-${run}-${Date.now().toString(36)}`;
  const occurredAt = new Date().toISOString();
  if (source === 'schedule') return { type: 'scheduled', schedule: trigger.name, scheduledAt: occurredAt };
  if (source === 'dispatched') {
    const on = backend.functions[trigger.name]?.trigger;
    const event = on?.kind === 'event' ? on.on.event : undefined;
    const collection = on?.kind === 'event' && 'collection' in on.on ? on.on.collection : undefined;
    if (event === 'userSignedUp') return { type: event, eventId, occurredAt, user: { userId: user.userId, email: user.email, createdAt: occurredAt } };
    if (event === 'documentCreated') {
      const document = { id: `bench-${run}`, owner: user.userId, createdAt: occurredAt, updatedAt: occurredAt, version: 1, title: 'bench', body: 'bench', published: true };
      return { type: event, eventId, occurredAt, collection, document };
    }
    if (event === 'geofenceEntered' || event === 'geofenceExited') {
      const fence = { id: 'bench-zone', owner: user.userId, createdAt: occurredAt, updatedAt: occurredAt, version: 1, name: 'Bench zone', center: { lat: 48.8566, lng: 2.3522 }, radiusMeters: 500 };
      return { type: event, eventId, occurredAt, collection, userId: user.userId, fenceId: fence.id, fence, point: fence.center };
    }
    throw new Error(`The bench has no event for ${trigger.name} (on ${event}): add one to bench/function-requests.ts`);
  }
  if (source === 'cognito') {
    return {
      version: '1',
      triggerSource: 'PostConfirmation_ConfirmSignUp',
      region: local.region,
      userPoolId: local.userPoolId,
      userName: user.userId,
      callerContext: { awsSdkVersion: 'bench', clientId: local.userPoolClientId },
      request: { userAttributes: { sub: user.userId, email: user.email, email_verified: 'true' } },
      response: {},
    };
  }
  if (source === 's3') {
    return {
      Records: [
        {
          eventVersion: '2.1',
          eventSource: 'aws:s3',
          eventName: 'ObjectCreated:Post',
          awsRegion: local.region,
          eventTime: new Date().toISOString(),
          s3: { bucket: { name: local.bucketName }, object: { key: `files/${user.userId}/bench-${run}`, size: 5 } },
        },
      ],
    };
  }
  if (source === 'stream') {
    // One new note of the user's, as the table's stream carries it (no subscriber: the fan-out reads who listens and stops).
    const now = new Date().toISOString();
    return {
      Records: [
        {
          eventID: `bench-${run}`,
          eventName: 'INSERT',
          eventVersion: '1.1',
          eventSource: 'aws:dynamodb',
          awsRegion: local.region,
          dynamodb: {
            Keys: { pk: { S: `DOC#notes#bench-${run}` }, sk: { S: 'DOC' } },
            NewImage: { pk: { S: `DOC#notes#bench-${run}` }, sk: { S: 'DOC' }, owner: { S: user.userId }, data: { M: { title: { S: 'bench' } } }, createdAt: { S: now }, updatedAt: { S: now } },
            SequenceNumber: String(run + 1),
            SizeBytes: 100,
            StreamViewType: 'NEW_AND_OLD_IMAGES',
          },
        },
      ],
    };
  }
  throw new Error(`The bench has no event for ${source} triggers: add one to bench/function-requests.ts`);
}

/** The payload-v2.0 event API Gateway would deliver for `request` to `routeKey`. */
export function httpEvent(request: HttpRequestSpec, route: { routeKey: string; pathParameters: Record<string, string>; auth: string }): APIGatewayProxyEventV2WithJWTAuthorizer {
  const [path, query] = request.path.split('?');
  const token = request.as?.accessToken;
  return buildHttpApiEvent({
    method: request.method,
    path: path!,
    rawQueryString: query,
    routeKey: route.routeKey,
    pathParameters: route.pathParameters,
    headers: {
      ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token && route.auth !== 'required' ? { authorization: `Bearer ${token}` } : {}),
    },
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
    claims: token && route.auth === 'required' ? claimsOf(token) : undefined,
  });
}

/** The claims API Gateway's JWT authorizer passes on (the token is the local Cognito's, already valid). */
function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}
