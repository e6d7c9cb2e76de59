/**
 * The local user pool as the suite sees it from behind the API: making users in states the routes
 * act on (unconfirmed, with a temporary password, in a group, disabled) and reading those states
 * back to check that a refused request changed nothing.
 */
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  CognitoIdentityProviderClient,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { send } from './http.js';
import { PASSWORD, throwawayUser, uniqueEmail, type World, type WorldUser } from './world.js';

function client(world: World): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({ endpoint: world.endpoints.cognito, region: world.region, credentials: world.credentials });
}

async function using<T>(world: World, run: (cognito: CognitoIdentityProviderClient) => Promise<T>): Promise<T> {
  const cognito = client(world);
  try {
    return await run(cognito);
  } finally {
    cognito.destroy();
  }
}

/** Signed up, not confirmed: its confirmation code is in the outbox. */
export const unconfirmedUser = (world: World) =>
  using(world, async (cognito) => {
    const email = uniqueEmail('unconfirmed');
    const { UserSub } = await cognito.send(
      new SignUpCommand({ ClientId: world.userPoolClientId, Username: email, Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: email }] }),
    );
    return { email, userId: UserSub! };
  });

/**
 * Made by an administrator with a temporary password: signing in (through the route, so the
 * session is the contract's) answers NEW_PASSWORD_REQUIRED with this session.
 */
export const userWithTemporaryPassword = (world: World) =>
  using(world, async (cognito) => {
    const email = uniqueEmail('invited');
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: world.userPoolId,
        Username: email,
        TemporaryPassword: PASSWORD,
        MessageAction: 'SUPPRESS',
        UserAttributes: [{ Name: 'email', Value: email }, { Name: 'email_verified', Value: 'true' }],
      }),
    );
    const signedIn = await send(world.url, { method: 'POST', path: '/auth/sign-in', body: { email, password: PASSWORD } });
    const { challenge, session } = signedIn.json as { challenge?: string; session?: string };
    if (challenge !== 'NEW_PASSWORD_REQUIRED' || !session) throw new Error(`expected NEW_PASSWORD_REQUIRED, got ${signedIn.text}`);
    return { email, session };
  });

/** A confirmed user, optionally in `group`, optionally disabled. */
export async function targetUser(world: World, options: { group?: string; disabled?: boolean } = {}): Promise<WorldUser> {
  const user = await throwawayUser(world, 'target');
  await using(world, async (cognito) => {
    if (options.group) await cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: world.userPoolId, Username: user.email, GroupName: options.group }));
    if (options.disabled) await cognito.send(new AdminDisableUserCommand({ UserPoolId: world.userPoolId, Username: user.email }));
  });
  return user;
}

export const groupsOf = (world: World, email: string) =>
  using(world, async (cognito) => {
    const { Groups } = await cognito.send(new AdminListGroupsForUserCommand({ UserPoolId: world.userPoolId, Username: email }));
    return (Groups ?? []).map((group) => group.GroupName!);
  });

/** Whether the user exists and is enabled; undefined when it does not exist. */
export const enabledState = (world: World, email: string) =>
  using(world, async (cognito) => {
    try {
      return (await cognito.send(new AdminGetUserCommand({ UserPoolId: world.userPoolId, Username: email }))).Enabled;
    } catch (error) {
      if ((error as Error).name === 'UserNotFoundException') return undefined;
      throw error;
    }
  });
