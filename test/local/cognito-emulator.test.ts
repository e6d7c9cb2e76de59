/**
 * The local Cognito emulator through the real SDK client: every place where cognito-local alone
 * differs from Cognito, answered as Cognito answers (exception names and messages), tokens the
 * production verifier accepts, persistence across restarts, Lambda triggers, ensureUser.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminSetUserPasswordCommand,
  AdminUserGlobalSignOutCommand,
  ChangePasswordCommand,
  CognitoIdentityProviderClient,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  DescribeUserPoolClientCommand,
  ForgotPasswordCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  ListUsersCommand,
  ResendConfirmationCodeCommand,
  RespondToAuthChallengeCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
  VerifyUserAttributeCommand,
  type AuthenticationResultType,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccessTokenVerifier } from '../../functions/adapters/access-token-verifier.js';
import { TOKEN_VALIDITY } from '../../lib/auth/auth-settings.js';
import { AtomicDataStoreFactory } from '../../local/emulators/cognito/atomic-data-store.js';
import type { LocalEmail } from '../../local/emulators/cognito/email-messages.js';
import { ensureUser } from '../../local/emulators/cognito/ensure-user.js';
import { startCognito, type LocalCognito } from '../../local/emulators/cognito/start-cognito.js';
import { LOCAL_CREDENTIALS } from '../../local/emulators/local-credentials.js';
import { FunctionError, RuntimeStoppedError } from '../../local/runtime/lambda-runtime.js';

const PASSWORD = 'Correct-Horse-9';
const OTHER_PASSWORD = 'Battery-Staple-7';
const WEAK_PASSWORD = 'password';
const HOUR = 60 * 60 * 1000;

const tempDirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lambase-cognito-'));
  tempDirs.push(dir);
  return dir;
}

function sdkClient(cognito: LocalCognito): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    endpoint: cognito.endpoint,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
  });
}

function attributesOf(user: { UserAttributes?: Array<{ Name?: string; Value?: string }> }): Record<string, string | undefined> {
  return Object.fromEntries((user.UserAttributes ?? []).map((attribute) => [attribute.Name, attribute.Value]));
}

function claimsOf(token: string | undefined): Record<string, unknown> {
  return JSON.parse(Buffer.from(String(token).split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

afterAll(async () => {
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('local Cognito emulator', () => {
  let cognito: LocalCognito;
  let client: CognitoIdentityProviderClient;
  let clientId: string;
  let userPoolId: string;
  let clockOffsetMs = 0;
  const emails: LocalEmail[] = [];
  let counter = 0;

  const newEmail = () => `user${(counter += 1)}.${Date.now()}@example.com`;
  const lastCodeTo = (to: string) => emails.filter((email) => email.to === to).at(-1)?.code;
  const signIn = (email: string, password = PASSWORD) =>
    client.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD: password } }));
  const refresh = (token: string | undefined) =>
    client.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: token ?? '' } }));

  async function signUp(email = newEmail(), password = PASSWORD): Promise<string> {
    await client.send(new SignUpCommand({ ClientId: clientId, Username: email, Password: password }));
    return email;
  }

  async function confirmedUser(email = newEmail()): Promise<{ email: string; tokens: AuthenticationResultType }> {
    await signUp(email);
    await client.send(new ConfirmSignUpCommand({ ClientId: clientId, Username: email, ConfirmationCode: lastCodeTo(email) }));
    const { AuthenticationResult } = await signIn(email);
    return { email, tokens: AuthenticationResult ?? {} };
  }

  beforeAll(async () => {
    cognito = await startCognito({
      dataDir: await tempDir(),
      groups: ['admins', 'editors'],
      onEmail: (email) => emails.push(email),
      clock: () => new Date(Date.now() + clockOffsetMs),
    });
    client = sdkClient(cognito);
    clientId = cognito.userPoolClientId;
    userPoolId = cognito.userPoolId;
  });

  afterAll(async () => {
    client?.destroy();
    await cognito?.stop();
  });

  it('has a pool id and client shaped like Cognito, with the cloud token lifetimes', async () => {
    expect(userPoolId).toMatch(/^us-east-1_[A-Za-z0-9]{9}$/);
    expect(cognito.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { UserPoolClient } = await client.send(new DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId }));
    expect(UserPoolClient).toMatchObject({
      ClientId: clientId,
      PreventUserExistenceErrors: 'ENABLED',
      AccessTokenValidity: TOKEN_VALIDITY.accessTokenMinutes,
      IdTokenValidity: TOKEN_VALIDITY.idTokenMinutes,
      RefreshTokenValidity: TOKEN_VALIDITY.refreshTokenDays,
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' },
    });
    expect(UserPoolClient?.ClientSecret).toBeUndefined();
    const discovery = (await (await fetch(`${cognito.endpoint}/${userPoolId}/.well-known/openid-configuration`)).json()) as Record<string, string>;
    expect(discovery).toMatchObject({
      issuer: `https://cognito-idp.us-east-1.amazonaws.com/${userPoolId}`,
      jwks_uri: `${cognito.endpoint}/${userPoolId}/.well-known/jwks.json`,
    });
  });

  it('signs up, emails the code, confirms, and issues tokens the production verifier accepts', async () => {
    const email = newEmail();
    const signUpResult = await client.send(new SignUpCommand({ ClientId: clientId, Username: email, Password: PASSWORD }));
    expect(signUpResult.UserConfirmed).toBe(false);
    expect(signUpResult.CodeDeliveryDetails).toEqual({ AttributeName: 'email', DeliveryMedium: 'EMAIL', Destination: 'u***@e***' });
    const sent = emails.at(-1);
    expect(sent).toMatchObject({ to: email, subject: 'Your verification code' });
    expect(sent?.code).toMatch(/^\d{6}$/);
    expect(sent?.body).toContain(String(sent?.code));

    await expect(signIn(email)).rejects.toMatchObject({ name: 'UserNotConfirmedException', message: 'User is not confirmed.' });
    await expect(signIn(email, OTHER_PASSWORD)).rejects.toMatchObject({ name: 'NotAuthorizedException', message: 'Incorrect username or password.' });
    await expect(
      client.send(new ConfirmSignUpCommand({ ClientId: clientId, Username: email, ConfirmationCode: '000000' === sent?.code ? '111111' : '000000' })),
    ).rejects.toMatchObject({ name: 'CodeMismatchException' });
    await client.send(new ConfirmSignUpCommand({ ClientId: clientId, Username: email, ConfirmationCode: sent?.code }));
    await expect(
      client.send(new ConfirmSignUpCommand({ ClientId: clientId, Username: email, ConfirmationCode: sent?.code })),
    ).rejects.toMatchObject({ name: 'NotAuthorizedException', message: 'User cannot be confirmed. Current status is CONFIRMED' });

    const { AuthenticationResult: tokens } = await signIn(email.toUpperCase());
    expect(tokens).toMatchObject({ TokenType: 'Bearer', ExpiresIn: TOKEN_VALIDITY.accessTokenMinutes * 60 });
    const verifier = createAccessTokenVerifier({ userPoolId, clientId, cognitoEndpoint: cognito.endpoint });
    const claims = await verifier.verify(String(tokens?.AccessToken));
    expect(claims).toMatchObject({ sub: signUpResult.UserSub, token_use: 'access', client_id: clientId });
    expect(claims.iss).toBe(`https://cognito-idp.us-east-1.amazonaws.com/${userPoolId}`);
    expect(Number(claims.exp) - Number(claims.iat)).toBe(TOKEN_VALIDITY.accessTokenMinutes * 60);
    await expect(verifier.verify(String(tokens?.IdToken))).rejects.toThrow();
    const idClaims = claimsOf(tokens?.IdToken);
    expect(idClaims).toMatchObject({ email, email_verified: true, aud: clientId, token_use: 'id' });
    expect(Number(idClaims.exp) - Number(idClaims.iat)).toBe(TOKEN_VALIDITY.idTokenMinutes * 60);
    expect(Number(claimsOf(tokens?.RefreshToken).exp) - Number(idClaims.iat)).toBe(TOKEN_VALIDITY.refreshTokenDays * 86_400);

    const user = await client.send(new GetUserCommand({ AccessToken: tokens?.AccessToken }));
    expect(user.UserAttributes).toEqual(expect.arrayContaining([{ Name: 'email_verified', Value: 'true' }]));
  });

  it('refuses passwords that break the policy wherever a password is set', async () => {
    const policy = { name: 'InvalidPasswordException', message: expect.stringMatching(/^Password does not conform to policy/) };
    await expect(client.send(new SignUpCommand({ ClientId: clientId, Username: newEmail(), Password: WEAK_PASSWORD }))).rejects.toMatchObject(policy);
    const { email, tokens } = await confirmedUser();
    await expect(
      client.send(new ChangePasswordCommand({ AccessToken: tokens.AccessToken, PreviousPassword: PASSWORD, ProposedPassword: WEAK_PASSWORD })),
    ).rejects.toMatchObject(policy);
    await client.send(new ForgotPasswordCommand({ ClientId: clientId, Username: email }));
    await expect(
      client.send(new ConfirmForgotPasswordCommand({ ClientId: clientId, Username: email, ConfirmationCode: lastCodeTo(email), Password: WEAK_PASSWORD })),
    ).rejects.toMatchObject(policy);
    await expect(
      client.send(new AdminSetUserPasswordCommand({ UserPoolId: userPoolId, Username: email, Password: WEAK_PASSWORD, Permanent: true })),
    ).rejects.toMatchObject(policy);
    await expect(
      client.send(new AdminCreateUserCommand({ UserPoolId: userPoolId, Username: newEmail(), TemporaryPassword: WEAK_PASSWORD, MessageAction: 'SUPPRESS' })),
    ).rejects.toMatchObject(policy);
  });

  it('answers unknown users like wrong passwords and never reveals whether an account exists', async () => {
    const nobody = 'nobody@example.com';
    await expect(signIn(nobody)).rejects.toMatchObject({ name: 'NotAuthorizedException', message: 'Incorrect username or password.' });
    const emailsBefore = emails.length;
    expect((await client.send(new ForgotPasswordCommand({ ClientId: clientId, Username: nobody }))).CodeDeliveryDetails).toEqual({
      AttributeName: 'email',
      DeliveryMedium: 'EMAIL',
      Destination: 'n***@e***',
    });
    expect((await client.send(new ResendConfirmationCodeCommand({ ClientId: clientId, Username: nobody }))).CodeDeliveryDetails).toMatchObject({
      DeliveryMedium: 'EMAIL',
    });
    expect(emails.length).toBe(emailsBefore);
    await expect(
      client.send(new ConfirmForgotPasswordCommand({ ClientId: clientId, Username: nobody, ConfirmationCode: '123456', Password: PASSWORD })),
    ).rejects.toMatchObject({ name: 'CodeMismatchException' });
  });

  it('refuses a second account with the same email, whatever its case', async () => {
    const email = await signUp();
    await expect(signUp(email.toUpperCase())).rejects.toMatchObject({
      name: 'UsernameExistsException',
      message: 'An account with the given email already exists.',
    });
  });

  it('resends a new confirmation code by email; the old one no longer works', async () => {
    const email = await signUp();
    const first = lastCodeTo(email);
    const resent = await client.send(new ResendConfirmationCodeCommand({ ClientId: clientId, Username: email }));
    expect(resent.CodeDeliveryDetails).toMatchObject({ DeliveryMedium: 'EMAIL', Destination: 'u***@e***' });
    const second = lastCodeTo(email);
    expect(emails.filter((sent) => sent.to === email)).toHaveLength(2);
    if (first !== second) {
      await expect(
        client.send(new ConfirmSignUpCommand({ ClientId: clientId, Username: email, ConfirmationCode: first })),
      ).rejects.toMatchObject({ name: 'CodeMismatchException' });
    }
    await client.send(new ConfirmSignUpCommand({ ClientId: clientId, Username: email, ConfirmationCode: second }));
    await expect(client.send(new ResendConfirmationCodeCommand({ ClientId: clientId, Username: email }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'User is already confirmed.',
    });
  });

  it('expires sign-up codes after 24 hours and reset codes after 1 hour', async () => {
    const late = await signUp();
    try {
      clockOffsetMs = 24 * HOUR + 60_000;
      await expect(
        client.send(new ConfirmSignUpCommand({ ClientId: clientId, Username: late, ConfirmationCode: lastCodeTo(late) })),
      ).rejects.toMatchObject({ name: 'ExpiredCodeException', message: 'Invalid code provided, please request a code again.' });
    } finally {
      clockOffsetMs = 0;
    }
    const { email } = await confirmedUser();
    await client.send(new ForgotPasswordCommand({ ClientId: clientId, Username: email }));
    const code = lastCodeTo(email);
    try {
      clockOffsetMs = HOUR + 60_000;
      await expect(
        client.send(new ConfirmForgotPasswordCommand({ ClientId: clientId, Username: email, ConfirmationCode: code, Password: OTHER_PASSWORD })),
      ).rejects.toMatchObject({ name: 'ExpiredCodeException' });
    } finally {
      clockOffsetMs = 0;
    }
  });

  it('resets a forgotten password with the emailed code only', async () => {
    const { email } = await confirmedUser();
    const forgot = await client.send(new ForgotPasswordCommand({ ClientId: clientId, Username: email }));
    expect(forgot.CodeDeliveryDetails).toEqual({ AttributeName: 'email', DeliveryMedium: 'EMAIL', Destination: 'u***@e***' });
    const code = lastCodeTo(email);
    expect(code).toMatch(/^\d{6}$/);
    await expect(
      client.send(new ConfirmForgotPasswordCommand({ ClientId: clientId, Username: email, ConfirmationCode: code === '000000' ? '111111' : '000000', Password: OTHER_PASSWORD })),
    ).rejects.toMatchObject({ name: 'CodeMismatchException', message: 'Invalid verification code provided, please try again.' });
    await client.send(new ConfirmForgotPasswordCommand({ ClientId: clientId, Username: email, ConfirmationCode: code, Password: OTHER_PASSWORD }));
    await expect(signIn(email)).rejects.toMatchObject({ name: 'NotAuthorizedException' });
    expect((await signIn(email, OTHER_PASSWORD)).AuthenticationResult?.AccessToken).toBeTruthy();
    // A sign-up code is no reset code.
    const pending = await signUp();
    await expect(
      client.send(new ConfirmForgotPasswordCommand({ ClientId: clientId, Username: pending, ConfirmationCode: lastCodeTo(pending), Password: OTHER_PASSWORD })),
    ).rejects.toMatchObject({ name: 'CodeMismatchException' });
  });

  it('refreshes tokens, and revokes refresh and access tokens on sign-out', async () => {
    const { tokens } = await confirmedUser();
    const refreshed = (await refresh(tokens.RefreshToken)).AuthenticationResult;
    expect(refreshed).toMatchObject({ TokenType: 'Bearer', ExpiresIn: TOKEN_VALIDITY.accessTokenMinutes * 60 });
    expect(refreshed?.RefreshToken).toBeUndefined();
    expect(claimsOf(refreshed?.AccessToken).origin_jti).toBe(claimsOf(tokens.AccessToken).origin_jti);

    await client.send(new GlobalSignOutCommand({ AccessToken: tokens.AccessToken }));
    await expect(refresh(tokens.RefreshToken)).rejects.toMatchObject({ name: 'NotAuthorizedException', message: 'Refresh Token has been revoked' });
    await expect(client.send(new GetUserCommand({ AccessToken: refreshed?.AccessToken }))).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Access Token has been revoked',
    });
    await expect(refresh('not-a-token')).rejects.toMatchObject({ name: 'NotAuthorizedException', message: 'Invalid Refresh Token' });
    await expect(client.send(new GetUserCommand({ AccessToken: 'not-a-token' }))).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Invalid Access Token',
    });

    const other = await confirmedUser();
    await client.send(new AdminUserGlobalSignOutCommand({ UserPoolId: userPoolId, Username: other.email }));
    await expect(refresh(other.tokens.RefreshToken)).rejects.toMatchObject({ name: 'NotAuthorizedException' });
    expect((await signIn(other.email)).AuthenticationResult?.RefreshToken).toBeTruthy();
  });

  it('keeps disabled users out until they are enabled again', async () => {
    const { email, tokens } = await confirmedUser();
    await client.send(new AdminDisableUserCommand({ UserPoolId: userPoolId, Username: email }));
    await expect(signIn(email)).rejects.toMatchObject({ name: 'NotAuthorizedException', message: 'User is disabled.' });
    await expect(refresh(tokens.RefreshToken)).rejects.toMatchObject({ name: 'NotAuthorizedException' });
    await expect(client.send(new GetUserCommand({ AccessToken: tokens.AccessToken }))).rejects.toMatchObject({ name: 'NotAuthorizedException' });
    expect((await client.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: email }))).Enabled).toBe(false);
    await client.send(new AdminEnableUserCommand({ UserPoolId: userPoolId, Username: email }));
    expect((await signIn(email)).AuthenticationResult?.AccessToken).toBeTruthy();
  });

  it('changes the password only with the right previous one', async () => {
    const { email, tokens } = await confirmedUser();
    await expect(
      client.send(new ChangePasswordCommand({ AccessToken: tokens.AccessToken, PreviousPassword: OTHER_PASSWORD, ProposedPassword: OTHER_PASSWORD })),
    ).rejects.toMatchObject({ name: 'NotAuthorizedException', message: 'Incorrect username or password.' });
    await client.send(new ChangePasswordCommand({ AccessToken: tokens.AccessToken, PreviousPassword: PASSWORD, ProposedPassword: OTHER_PASSWORD }));
    await expect(signIn(email)).rejects.toMatchObject({ name: 'NotAuthorizedException' });
    expect((await signIn(email, OTHER_PASSWORD)).AuthenticationResult).toBeTruthy();
  });

  it('updates attributes, shows them in the ID token and refuses an email taken by another account', async () => {
    const { tokens } = await confirmedUser();
    const taken = await signUp();
    await client.send(new UpdateUserAttributesCommand({ AccessToken: tokens.AccessToken, UserAttributes: [{ Name: 'name', Value: 'Ada' }] }));
    const user = await client.send(new GetUserCommand({ AccessToken: tokens.AccessToken }));
    expect(user.UserAttributes).toEqual(expect.arrayContaining([{ Name: 'name', Value: 'Ada' }]));
    expect(claimsOf((await refresh(tokens.RefreshToken)).AuthenticationResult?.IdToken).name).toBe('Ada');
    await expect(
      client.send(new UpdateUserAttributesCommand({ AccessToken: tokens.AccessToken, UserAttributes: [{ Name: 'email', Value: taken }] })),
    ).rejects.toMatchObject({ name: 'AliasExistsException' });

    // A new email replaces the old one only once verified with the code sent to it (keepOriginal).
    const before = attributesOf(await client.send(new GetUserCommand({ AccessToken: tokens.AccessToken })));
    const moved = newEmail();
    const change = await client.send(new UpdateUserAttributesCommand({ AccessToken: tokens.AccessToken, UserAttributes: [{ Name: 'email', Value: moved }] }));
    expect(change.CodeDeliveryDetailsList).toEqual([{ AttributeName: 'email', DeliveryMedium: 'EMAIL', Destination: 'u***@e***' }]);
    expect(attributesOf(await client.send(new GetUserCommand({ AccessToken: tokens.AccessToken })))).toMatchObject({ email: before.email, email_verified: 'true' });
    await client.send(new VerifyUserAttributeCommand({ AccessToken: tokens.AccessToken, AttributeName: 'email', Code: lastCodeTo(moved) }));
    expect(attributesOf(await client.send(new GetUserCommand({ AccessToken: tokens.AccessToken })))).toMatchObject({ email: moved, email_verified: 'true' });
    expect((await signIn(moved)).AuthenticationResult?.AccessToken).toBeTruthy();
  });

  it('creates users with a temporary password and completes the NEW_PASSWORD_REQUIRED challenge', async () => {
    const email = newEmail();
    await client.send(
      new AdminCreateUserCommand({
        UserPoolId: userPoolId,
        Username: email,
        TemporaryPassword: 'Temporary-Pass-1',
        DesiredDeliveryMediums: ['EMAIL'],
        UserAttributes: [
          { Name: 'email', Value: email },
          { Name: 'email_verified', Value: 'true' },
        ],
      }),
    );
    expect(emails.at(-1)).toMatchObject({ to: email, subject: 'Your temporary password', code: 'Temporary-Pass-1' });
    await expect(
      client.send(new AdminCreateUserCommand({ UserPoolId: userPoolId, Username: email, MessageAction: 'SUPPRESS' })),
    ).rejects.toMatchObject({ name: 'UsernameExistsException' });
    await expect(signIn(email, 'Wrong-Temporary-1')).rejects.toMatchObject({ name: 'NotAuthorizedException' });
    const challenge = await signIn(email, 'Temporary-Pass-1');
    expect(challenge.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
    const respond = (password: string, session = challenge.Session) =>
      client.send(
        new RespondToAuthChallengeCommand({
          ClientId: clientId,
          ChallengeName: 'NEW_PASSWORD_REQUIRED',
          Session: session,
          ChallengeResponses: { USERNAME: email, NEW_PASSWORD: password },
        }),
      );
    await expect(respond(PASSWORD, 'forged-session')).rejects.toMatchObject({ name: 'NotAuthorizedException' });
    await expect(respond(WEAK_PASSWORD)).rejects.toMatchObject({ name: 'InvalidPasswordException' });
    const { AuthenticationResult } = await respond(PASSWORD);
    expect(AuthenticationResult).toMatchObject({ TokenType: 'Bearer', ExpiresIn: TOKEN_VALIDITY.accessTokenMinutes * 60 });
    expect((await refresh(AuthenticationResult?.RefreshToken)).AuthenticationResult?.AccessToken).toBeTruthy();
    expect((await client.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: email }))).UserStatus).toBe('CONFIRMED');

    // Without a temporary password, the generated one satisfies the policy (it is emailed).
    const invited = newEmail();
    await client.send(new AdminCreateUserCommand({ UserPoolId: userPoolId, Username: invited, DesiredDeliveryMediums: ['EMAIL'] }));
    const generated = lastCodeTo(invited);
    expect((await signIn(invited, generated)).ChallengeName).toBe('NEW_PASSWORD_REQUIRED');

    await client.send(new AdminSetUserPasswordCommand({ UserPoolId: userPoolId, Username: invited, Password: OTHER_PASSWORD, Permanent: true }));
    expect((await signIn(invited, OTHER_PASSWORD)).AuthenticationResult?.AccessToken).toBeTruthy();
  });

  it('manages groups by email, puts them in tokens, and deletes users', async () => {
    const { email } = await confirmedUser();
    await client.send(new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: email, GroupName: 'editors' }));
    const groups = await client.send(new AdminListGroupsForUserCommand({ UserPoolId: userPoolId, Username: email }));
    expect(groups.Groups?.map((group) => group.GroupName)).toEqual(['editors']);
    const tokens = (await signIn(email)).AuthenticationResult;
    expect(claimsOf(tokens?.AccessToken)['cognito:groups']).toEqual(['editors']);
    expect(claimsOf(tokens?.IdToken)['cognito:groups']).toEqual(['editors']);
    await client.send(new AdminRemoveUserFromGroupCommand({ UserPoolId: userPoolId, Username: email, GroupName: 'editors' }));
    expect((await client.send(new AdminListGroupsForUserCommand({ UserPoolId: userPoolId, Username: email }))).Groups).toEqual([]);

    await client.send(new AdminDeleteUserCommand({ UserPoolId: userPoolId, Username: email }));
    await expect(client.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: email }))).rejects.toMatchObject({
      name: 'UserNotFoundException',
      message: 'User does not exist.',
    });
    await expect(signIn(email)).rejects.toMatchObject({ name: 'NotAuthorizedException', message: 'Incorrect username or password.' });
  });

  it('pages ListUsers with Limit and PaginationToken', async () => {
    for (let i = 0; i < 3; i += 1) await signUp();
    const all = (await client.send(new ListUsersCommand({ UserPoolId: userPoolId }))).Users ?? [];
    expect(all.length).toBeGreaterThanOrEqual(5);
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListUsersCommand({ UserPoolId: userPoolId, Limit: 2, PaginationToken: token }));
      expect(page.Users?.length).toBeLessThanOrEqual(2);
      seen.push(...(page.Users ?? []).map((user) => String(user.Username)));
      token = page.PaginationToken;
    } while (token);
    expect(seen).toHaveLength(all.length);
    expect(new Set(seen).size).toBe(all.length);
    const filtered = await client.send(new ListUsersCommand({ UserPoolId: userPoolId, Filter: `email = "${await signUp()}"`, AttributesToGet: ['email'] }));
    expect(filtered.Users).toHaveLength(1);
    expect(filtered.Users?.[0]?.Attributes?.map((attribute) => attribute.Name)).toEqual(['email']);
    await expect(client.send(new ListUsersCommand({ UserPoolId: userPoolId, Limit: 61 }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });

  it('ensureUser creates a confirmed user with groups, and changes nothing the second time', async () => {
    const email = newEmail();
    const first = await ensureUser(cognito, { email, password: PASSWORD, groups: ['admins'] });
    const second = await ensureUser(cognito, { email, password: PASSWORD, groups: ['admins'] });
    expect(second.username).toBe(first.username);
    const user = await client.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: email }));
    expect(user).toMatchObject({ UserStatus: 'CONFIRMED', Enabled: true, Username: first.username });
    expect(user.UserAttributes).toEqual(expect.arrayContaining([{ Name: 'email_verified', Value: 'true' }]));
    const groups = await client.send(new AdminListGroupsForUserCommand({ UserPoolId: userPoolId, Username: email }));
    expect(groups.Groups?.map((group) => group.GroupName)).toEqual(['admins']);
    expect(claimsOf((await signIn(email)).AuthenticationResult?.AccessToken)['cognito:groups']).toEqual(['admins']);
    const matching = await client.send(new ListUsersCommand({ UserPoolId: userPoolId, Filter: `email = "${email}"` }));
    expect(matching.Users).toHaveLength(1);
  });
});

describe('local Cognito emulator across restarts', () => {
  it('keeps the pool id, client id and users in the same data directory', async () => {
    const dataDir = await tempDir();
    const first = await startCognito({ dataDir, groups: ['admins'] });
    const email = 'restart@example.com';
    await ensureUser(first, { email, password: PASSWORD, groups: ['admins'] });
    // Writes from concurrent requests must all reach the disk, in files that still parse.
    const firstClient = sdkClient(first);
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        firstClient.send(new SignUpCommand({ ClientId: first.userPoolClientId, Username: `parallel${i}@example.com`, Password: PASSWORD })),
      ),
    );
    firstClient.destroy();
    await first.stop();
    expect((await readdir(path.join(dataDir, 'db'))).sort()).toEqual(['clients.json', `${first.userPoolId}.json`]);

    const second = await startCognito({ dataDir, groups: ['admins'] });
    // Another pool in the same process, at the same time, shares nothing with it.
    const neighbour = await startCognito({ dataDir: await tempDir() });
    const client = sdkClient(second);
    const neighbourClient = sdkClient(neighbour);
    try {
      expect(neighbour.userPoolId).not.toBe(second.userPoolId);
      await expect(
        neighbourClient.send(
          new InitiateAuthCommand({ ClientId: neighbour.userPoolClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD } }),
        ),
      ).rejects.toMatchObject({ name: 'NotAuthorizedException' });
      expect((await client.send(new ListUsersCommand({ UserPoolId: second.userPoolId }))).Users).toHaveLength(11);
      expect(second.userPoolId).toBe(first.userPoolId);
      expect(second.userPoolClientId).toBe(first.userPoolClientId);
      expect(second.endpoint).not.toBe('');
      const result = await client.send(
        new InitiateAuthCommand({ ClientId: second.userPoolClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD } }),
      );
      expect(claimsOf(result.AuthenticationResult?.AccessToken)['cognito:groups']).toEqual(['admins']);
    } finally {
      client.destroy();
      neighbourClient.destroy();
      await Promise.all([second.stop(), neighbour.stop()]);
    }
  });
});

describe('local Cognito data files', () => {
  it('stay valid JSON when overlapping requests rewrite them (cognito-local alone corrupts them)', async () => {
    const dir = await tempDir();
    const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
    const ctx = { logger: { ...silent, child: () => ({ ...silent, child: () => silent }) } } as unknown as Parameters<AtomicDataStoreFactory['create']>[0];
    const factory = new AtomicDataStoreFactory(dir);
    const store = await factory.create(ctx, 'pool', { Users: {} });
    // Each document shorter than the one before: an overlapping plain write leaves the longer one's tail behind.
    await Promise.all(Array.from({ length: 30 }, (_, i) => store.set(ctx, 'Users', { padding: 'x'.repeat((30 - i) * 20_000) })));
    await factory.flushed();
    const saved = JSON.parse(await readFile(path.join(dir, 'pool.json'), 'utf8')) as { Users: { padding: string }; Groups: object };
    expect(saved.Users.padding).toHaveLength(20_000);
    expect(saved.Groups).toEqual({});
  });
});

type Invocation = { functionName: string; event: Record<string, unknown> & { request: Record<string, unknown> } };

/**
 * The local Lambda runtime's part: records each event and answers like the trigger functions would;
 * `failure` picks the invocations that fail, and how.
 */
function fakeFunctions(failure: (functionName: string, event: Invocation['event']) => Error | undefined = () => undefined): {
  invoke: (name: string, event: unknown) => Promise<unknown>;
  invocations: Invocation[];
} {
  const invocations: Invocation[] = [];
  return {
    invocations,
    invoke: async (functionName, payload) => {
      const event = structuredClone(payload) as Invocation['event'] & { response: Record<string, unknown> };
      invocations.push({ functionName, event });
      const error = failure(functionName, event);
      if (error) throw error;
      if (functionName === 'custom-message') {
        event.response = { emailSubject: 'Welcome to Lambase', emailMessage: `Your Lambase code: ${String(event.request.codeParameter)}` };
      }
      if (functionName === 'pre-token') {
        event.response = { claimsOverrideDetails: { claimsToAddOrOverride: { plan: 'pro' } } };
      }
      return event;
    },
  };
}

describe('local Cognito emulator with Lambda triggers', () => {
  it('invokes the configured triggers in-process with Cognito events', async () => {
    const lambda = fakeFunctions();
    const emails: LocalEmail[] = [];
    const cognito = await startCognito({
      dataDir: await tempDir(),
      groups: ['members'],
      onEmail: (email) => emails.push(email),
      invoke: lambda.invoke,
      triggers: { PreSignUp: 'pre-sign-up', PostConfirmation: 'post-confirmation', CustomMessage: 'custom-message', PreTokenGeneration: 'pre-token' },
    });
    const client = sdkClient(cognito);
    try {
      const email = 'triggered@example.com';
      const { UserSub } = await client.send(new SignUpCommand({ ClientId: cognito.userPoolClientId, Username: email, Password: PASSWORD }));
      const [preSignUp, customMessage] = lambda.invocations;
      expect(preSignUp).toMatchObject({
        functionName: 'pre-sign-up',
        event: { version: '1', triggerSource: 'PreSignUp_SignUp', region: 'us-east-1', userPoolId: cognito.userPoolId, userName: UserSub },
      });
      expect(preSignUp?.event.request.userAttributes).toMatchObject({ email });
      expect(customMessage).toMatchObject({ functionName: 'custom-message', event: { triggerSource: 'CustomMessage_SignUp' } });
      expect(customMessage?.event.request).toMatchObject({ codeParameter: '{####}' });
      const sent = emails.at(-1);
      expect(sent?.subject).toBe('Welcome to Lambase');
      expect(sent?.body).toBe(`Your Lambase code: ${String(sent?.code)}`);

      await client.send(new ConfirmSignUpCommand({ ClientId: cognito.userPoolClientId, Username: email, ConfirmationCode: sent?.code }));
      const postConfirmation = lambda.invocations.find((invocation) => invocation.functionName === 'post-confirmation');
      expect(postConfirmation?.event).toMatchObject({
        triggerSource: 'PostConfirmation_ConfirmSignUp',
        userPoolId: cognito.userPoolId,
        userName: UserSub,
        callerContext: { clientId: cognito.userPoolClientId },
      });
      expect(postConfirmation?.event.request.userAttributes).toMatchObject({
        sub: UserSub,
        email,
        email_verified: 'true',
        'cognito:user_status': 'CONFIRMED',
      });

      await client.send(new AdminAddUserToGroupCommand({ UserPoolId: cognito.userPoolId, Username: email, GroupName: 'members' }));
      const signedIn = await client.send(
        new InitiateAuthCommand({ ClientId: cognito.userPoolClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD } }),
      );
      const preToken = lambda.invocations.find((invocation) => invocation.functionName === 'pre-token');
      expect(preToken?.event).toMatchObject({ triggerSource: 'TokenGeneration_Authentication', userName: UserSub });
      expect(preToken?.event.request.groupConfiguration).toMatchObject({ groupsToOverride: ['members'] });
      expect(claimsOf(signedIn.AuthenticationResult?.IdToken).plan).toBe('pro');
      expect(claimsOf(signedIn.AuthenticationResult?.AccessToken).plan).toBeUndefined();
    } finally {
      client.destroy();
      await cognito.stop();
    }
  });

  it('fails the call as Cognito does when a trigger function fails, or cannot be run at all', async () => {
    const emailOf = (event: Invocation['event']) => String((event.request.userAttributes as Record<string, string>).email);
    // `<function>-refused@…` makes that function fail; `<function>-unreachable@…` makes it impossible to run.
    const lambda = fakeFunctions((functionName, event) => {
      if (emailOf(event) === `${functionName}-refused@example.com`) return new FunctionError(functionName, 'Error', 'Not on the list');
      if (emailOf(event) === `${functionName}-unreachable@example.com`) return new RuntimeStoppedError(functionName);
      return undefined;
    });
    const cognito = await startCognito({ dataDir: await tempDir(), invoke: lambda.invoke, triggers: { PreSignUp: 'pre-sign-up', PreTokenGeneration: 'pre-token' } });
    const client = sdkClient(cognito);
    const signUp = (email: string) => client.send(new SignUpCommand({ ClientId: cognito.userPoolClientId, Username: email, Password: PASSWORD }));
    const signIn = (email: string) =>
      client.send(new InitiateAuthCommand({ ClientId: cognito.userPoolClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD } }));
    try {
      // Through cognito-local's own trigger calls, and through the pre token generation call built here.
      await expect(signUp('pre-sign-up-refused@example.com')).rejects.toMatchObject({
        name: 'UserLambdaValidationException',
        message: 'pre-sign-up failed with error Not on the list.',
      });
      await expect(signUp('pre-sign-up-unreachable@example.com')).rejects.toMatchObject({ name: 'UnexpectedLambdaException' });
      for (const email of ['pre-token-refused@example.com', 'pre-token-unreachable@example.com']) {
        await ensureUser(cognito, { email, password: PASSWORD });
      }
      await expect(signIn('pre-token-refused@example.com')).rejects.toMatchObject({
        name: 'UserLambdaValidationException',
        message: 'PreTokenGeneration failed with error Not on the list.',
      });
      await expect(signIn('pre-token-unreachable@example.com')).rejects.toMatchObject({ name: 'UnexpectedLambdaException' });
    } finally {
      client.destroy();
      await cognito.stop();
    }
  });
});
