/**
 * Makes sure a confirmed, enabled user with a verified email, the given password and (at least) the
 * given groups exists — through the Cognito API, so it works against any endpoint. Safe to call on
 * every start: local mode uses it for LAMBASE_ADMIN_EMAIL / LAMBASE_ADMIN_PASSWORD.
 */
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  CognitoIdentityProviderClient,
  UserNotFoundException,
  type AdminGetUserCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import { LOCAL_CREDENTIALS } from '../local-credentials.js';

export type EnsureUserOptions = { email: string; password: string; groups?: readonly string[] };

/** Where the pool is: a started local Cognito has these. */
export type CognitoPoolAddress = { endpoint: string; region: string; userPoolId: string };

/**
 * @example
 * const { username } = await ensureUser(cognito, { email: 'admin@example.com', password, groups: ['admins'] });
 */
export async function ensureUser(pool: CognitoPoolAddress, options: EnsureUserOptions): Promise<{ username: string }> {
  const client = new CognitoIdentityProviderClient({ endpoint: pool.endpoint, region: pool.region, credentials: LOCAL_CREDENTIALS });
  const UserPoolId = pool.userPoolId;
  const { email, password } = options;
  try {
    let user = await getUser(client, UserPoolId, email);
    if (!user) {
      await client.send(
        new AdminCreateUserCommand({
          UserPoolId,
          Username: email,
          TemporaryPassword: password,
          MessageAction: 'SUPPRESS',
          UserAttributes: [
            { Name: 'email', Value: email },
            { Name: 'email_verified', Value: 'true' },
          ],
        }),
      );
      user = await getUser(client, UserPoolId, email);
    }
    const username = user?.Username;
    if (!user || !username) throw new Error(`ensureUser: ${email} was not created`);
    // Whatever the user's state, the password is the one given and permanent (status CONFIRMED).
    await client.send(new AdminSetUserPasswordCommand({ UserPoolId, Username: username, Password: password, Permanent: true }));
    const emailVerified = user.UserAttributes?.find((attribute) => attribute.Name === 'email_verified')?.Value;
    if (emailVerified !== 'true') {
      await client.send(
        new AdminUpdateUserAttributesCommand({
          UserPoolId,
          Username: username,
          UserAttributes: [
            { Name: 'email', Value: email },
            { Name: 'email_verified', Value: 'true' },
          ],
        }),
      );
    }
    if (!user.Enabled) await client.send(new AdminEnableUserCommand({ UserPoolId, Username: username }));
    const current = await client.send(new AdminListGroupsForUserCommand({ UserPoolId, Username: username }));
    const memberOf = new Set((current.Groups ?? []).map((group) => group.GroupName));
    for (const GroupName of options.groups ?? []) {
      if (!memberOf.has(GroupName)) await client.send(new AdminAddUserToGroupCommand({ UserPoolId, Username: username, GroupName }));
    }
    return { username };
  } finally {
    client.destroy();
  }
}

async function getUser(
  client: CognitoIdentityProviderClient,
  UserPoolId: string,
  Username: string,
): Promise<AdminGetUserCommandOutput | undefined> {
  try {
    return await client.send(new AdminGetUserCommand({ UserPoolId, Username }));
  } catch (error) {
    if (error instanceof UserNotFoundException) return undefined;
    throw error;
  }
}
