/**
 * The world the HTTP suite runs in: one local backend (started once, in global setup, by
 * local-world-setup.ts) and its callers — anonymous, the owner of the objects under test, another
 * user, a member of a group that is not the admin group, and an admin — plus what a test needs to
 * make more users and to read the store behind the API.
 */
import {
  AdminAddUserToGroupCommand,
  CognitoIdentityProviderClient,
  ConfirmSignUpCommand,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { LocalBackend } from '../../../local/start-local.js';
import { send } from './http.js';

export const CALLERS = ['anonymous', 'owner', 'other', 'member', 'admin'] as const;
export type CallerKind = (typeof CALLERS)[number];
export type SignedInCaller = Exclude<CallerKind, 'anonymous'>;

export type WorldUser = {
  email: string;
  password: string;
  userId: string;
  accessToken: string;
  idToken: string;
  refreshToken: string;
};

/** What the suite knows of its local backend (provided across processes, so plain data only). */
export type World = Pick<LocalBackend, 'url' | 'realtimeUrl' | 'dataDir' | 'region' | 'userPoolId' | 'userPoolClientId' | 'tableName' | 'bucketName' | 'credentials'> & {
  endpoints: Pick<LocalBackend['endpoints'], 'dynamodb' | 's3' | 'cognito'>;
  /** Where the fault proxy between the functions and the emulators takes its rules (fault-proxy.ts). */
  faultControl: string;
  /** A group every signed-in caller but `member` is outside of; it grants nothing. */
  memberGroup: string;
  adminGroup: string;
  /** Where the probe event function (security-backend.ts) notes each event it handles, one JSON line each. */
  probeEventsFile: string;
  users: Record<SignedInCaller, WorldUser>;
};

declare module 'vitest' {
  // An interface because only interfaces merge with vitest's own declaration.
  export interface ProvidedContext {
    securityWorld: World;
  }
}

export const PASSWORD = 'Correct-Horse-9-Battery';

/**
 * The group the `member` caller is in: a group that is not the admin group, and that no access rule
 * names (the suite's probe function `probe-members` is for it; security-backend.ts declares it).
 */
export const MEMBER_GROUP = 'security-members';

let counter = 0;
export const uniqueEmail = (prefix: string) => `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter++}@example.com`;

type PoolAddress = Pick<World, 'endpoints' | 'region' | 'userPoolId' | 'userPoolClientId' | 'credentials'>;

/**
 * A confirmed, signed-in user made through the local Cognito (its confirmation code read from the
 * outbox by `codeOf`), in `groups` when given — the groups are in its tokens.
 */
export async function makeUser(
  pool: PoolAddress,
  codeOf: (email: string) => Promise<string>,
  options: { prefix?: string; groups?: readonly string[] } = {},
): Promise<WorldUser> {
  const cognito = new CognitoIdentityProviderClient({ endpoint: pool.endpoints.cognito, region: pool.region, credentials: pool.credentials });
  const email = uniqueEmail(options.prefix ?? 'user');
  try {
    const { UserSub } = await cognito.send(
      new SignUpCommand({ ClientId: pool.userPoolClientId, Username: email, Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: email }] }),
    );
    await cognito.send(new ConfirmSignUpCommand({ ClientId: pool.userPoolClientId, Username: email, ConfirmationCode: await codeOf(email) }));
    for (const group of options.groups ?? []) {
      await cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: pool.userPoolId, Username: email, GroupName: group }));
    }
    return { email, password: PASSWORD, userId: UserSub!, ...(await signIn(cognito, pool.userPoolClientId, email, PASSWORD)) };
  } finally {
    cognito.destroy();
  }
}

/** Signs in again: a session of its own (sign-out ends every session, though). */
export async function newSession(pool: PoolAddress, user: Pick<WorldUser, 'email' | 'password'>): Promise<Pick<WorldUser, 'accessToken' | 'idToken' | 'refreshToken'>> {
  const cognito = new CognitoIdentityProviderClient({ endpoint: pool.endpoints.cognito, region: pool.region, credentials: pool.credentials });
  try {
    return await signIn(cognito, pool.userPoolClientId, user.email, user.password);
  } finally {
    cognito.destroy();
  }
}

async function signIn(cognito: CognitoIdentityProviderClient, clientId: string, email: string, password: string) {
  const { AuthenticationResult } = await cognito.send(
    new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD: password } }),
  );
  return { accessToken: AuthenticationResult!.AccessToken!, idToken: AuthenticationResult!.IdToken!, refreshToken: AuthenticationResult!.RefreshToken! };
}

/** The confirmation code last sent to `email`, read from GET /_local/outbox. */
export async function codeFromOutbox(url: string, email: string): Promise<string> {
  const outbox = (await (await fetch(`${url}/_local/outbox`)).json()) as { emails: { to: string; code?: string }[] };
  const code = outbox.emails.findLast((mail) => mail.to === email && mail.code)?.code;
  if (!code) throw new Error(`no code for ${email} in the outbox`);
  return code;
}

/**
 * A confirmed user of a running local backend, made through its API alone (sign-up, the code from
 * the outbox, sign-in), for backends the suite only knows by URL.
 */
export async function signUpThroughApi(url: string, prefix = 'api-user'): Promise<{ email: string; password: string; accessToken: string; userId: string }> {
  const email = uniqueEmail(prefix);
  const signedUp = await send(url, { method: 'POST', path: '/auth/sign-up', body: { email, password: PASSWORD } });
  if (signedUp.status !== 201) throw new Error(`sign-up: ${signedUp.status} ${signedUp.text}`);
  const confirmed = await send(url, { method: 'POST', path: '/auth/confirm-sign-up', body: { email, code: await codeFromOutbox(url, email) } });
  if (confirmed.status !== 204) throw new Error(`confirm: ${confirmed.status} ${confirmed.text}`);
  const signedIn = await send(url, { method: 'POST', path: '/auth/sign-in', body: { email, password: PASSWORD } });
  if (signedIn.status !== 200) throw new Error(`sign-in: ${signedIn.status} ${signedIn.text}`);
  return { email, password: PASSWORD, accessToken: (signedIn.json as { accessToken: string }).accessToken, userId: (signedUp.json as { userId: string }).userId };
}

/** A throwaway user of the world (for routes that sign out, change the password or delete the account). */
export const throwawayUser = (world: World, prefix = 'throwaway') => makeUser(world, (email) => codeFromOutbox(world.url, email), { prefix });
