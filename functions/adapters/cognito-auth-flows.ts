/**
 * `AuthFlows` over Cognito's public API for the app client (no IAM): sign-up, confirmation,
 * USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH, challenges, password reset, and the calls a user makes
 * with their own access token (GlobalSignOut, ChangePassword).
 *
 * No user enumeration: at sign-in an unknown user, a wrong password and a disabled user are the
 * same `InvalidCredentialsError`, with the same message.
 */
import {
  ChangePasswordCommand,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  ForgotPasswordCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  ResendConfirmationCodeCommand,
  RespondToAuthChallengeCommand,
  SignUpCommand,
  type AuthenticationResultType,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { CodeMismatchError, ConflictError, InvalidCredentialsError, UnauthorizedError } from '../core/errors.js';
import type { AuthFlows, ChallengeAnswer, RefreshedTokens, SignInOutcome } from '../core/auth/ports.js';
import { callCognito, type CognitoErrorOverrides } from './cognito-errors.js';

const invalidCredentials: CognitoErrorOverrides = {
  NotAuthorizedException: (error) => new InvalidCredentialsError(undefined, { cause: error }),
  UserNotFoundException: (error) => new InvalidCredentialsError(undefined, { cause: error }),
};

/** A code for an unknown user is a wrong code (Cognito answers so itself when it prevents enumeration). */
const unknownUserIsWrongCode: CognitoErrorOverrides = {
  UserNotFoundException: (error) => new CodeMismatchError(undefined, { cause: error }),
};

const CHALLENGES: Record<ChallengeAnswer['kind'], { name: 'NEW_PASSWORD_REQUIRED' | 'SOFTWARE_TOKEN_MFA'; response: string }> = {
  newPassword: { name: 'NEW_PASSWORD_REQUIRED', response: 'NEW_PASSWORD' },
  mfaCode: { name: 'SOFTWARE_TOKEN_MFA', response: 'SOFTWARE_TOKEN_MFA_CODE' },
};

export class CognitoAuthFlows implements AuthFlows {
  constructor(
    private readonly client: CognitoIdentityProviderClient,
    private readonly clientId: string,
  ) {}

  async signUp(input: { email: string; password: string; name?: string }): Promise<{ userId: string; confirmed: boolean }> {
    const result = await callCognito(() =>
      this.client.send(
        new SignUpCommand({
          ClientId: this.clientId,
          Username: input.email,
          Password: input.password,
          UserAttributes: [
            { Name: 'email', Value: input.email },
            ...(input.name ? [{ Name: 'name', Value: input.name }] : []),
          ],
        }),
      ),
    );
    if (!result.UserSub) throw new Error('Cognito SignUp answered without a UserSub');
    return { userId: result.UserSub, confirmed: result.UserConfirmed ?? false };
  }

  async confirmSignUp(email: string, code: string): Promise<void> {
    await callCognito(
      () => this.client.send(new ConfirmSignUpCommand({ ClientId: this.clientId, Username: email, ConfirmationCode: code })),
      {
        ...unknownUserIsWrongCode,
        // "User cannot be confirmed. Current status is CONFIRMED"
        NotAuthorizedException: (error) => new ConflictError('This account is already confirmed: sign in.', { cause: error }),
      },
    );
  }

  async resendConfirmationCode(email: string): Promise<void> {
    await callCognito(() => this.client.send(new ResendConfirmationCodeCommand({ ClientId: this.clientId, Username: email })));
  }

  async signIn(email: string, password: string): Promise<SignInOutcome> {
    const result = await callCognito(
      () =>
        this.client.send(
          new InitiateAuthCommand({
            ClientId: this.clientId,
            AuthFlow: 'USER_PASSWORD_AUTH',
            AuthParameters: { USERNAME: email, PASSWORD: password },
          }),
        ),
      invalidCredentials,
    );
    return signInOutcome(result);
  }

  async respondToChallenge(input: { email: string; session: string; answer: ChallengeAnswer }): Promise<SignInOutcome> {
    const challenge = CHALLENGES[input.answer.kind];
    const value = input.answer.kind === 'newPassword' ? input.answer.newPassword : input.answer.code;
    const result = await callCognito(
      () =>
        this.client.send(
          new RespondToAuthChallengeCommand({
            ClientId: this.clientId,
            ChallengeName: challenge.name,
            Session: input.session,
            ChallengeResponses: { USERNAME: input.email, [challenge.response]: value },
          }),
        ),
      {
        NotAuthorizedException: (error) =>
          new InvalidCredentialsError('The session is invalid or has expired: sign in again.', { cause: error }),
        UserNotFoundException: (error) =>
          new InvalidCredentialsError('The session is invalid or has expired: sign in again.', { cause: error }),
      },
    );
    return signInOutcome(result);
  }

  async refresh(refreshToken: string): Promise<RefreshedTokens> {
    const revoked = (error: Error) => new UnauthorizedError('The refresh token is invalid, expired or revoked: sign in again.', { cause: error });
    const result = await callCognito(
      () =>
        this.client.send(
          new InitiateAuthCommand({ ClientId: this.clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: refreshToken } }),
        ),
      { NotAuthorizedException: revoked, UserNotFoundException: revoked },
    );
    const tokens = result.AuthenticationResult;
    if (!tokens?.AccessToken || !tokens.IdToken) throw new Error('Cognito refreshed without tokens');
    return { accessToken: tokens.AccessToken, idToken: tokens.IdToken, expiresIn: expiresIn(tokens), tokenType: 'Bearer' };
  }

  async forgotPassword(email: string): Promise<void> {
    await callCognito(() => this.client.send(new ForgotPasswordCommand({ ClientId: this.clientId, Username: email })));
  }

  async confirmForgotPassword(input: { email: string; code: string; newPassword: string }): Promise<void> {
    await callCognito(
      () =>
        this.client.send(
          new ConfirmForgotPasswordCommand({
            ClientId: this.clientId,
            Username: input.email,
            ConfirmationCode: input.code,
            Password: input.newPassword,
          }),
        ),
      {
        ...unknownUserIsWrongCode,
        // A disabled user: saying so would reveal the account.
        NotAuthorizedException: (error) => new CodeMismatchError(undefined, { cause: error }),
      },
    );
  }

  async signOutEverywhere(accessToken: string): Promise<void> {
    await callCognito(() => this.client.send(new GlobalSignOutCommand({ AccessToken: accessToken })));
  }

  async changePassword(input: { accessToken: string; currentPassword: string; newPassword: string }): Promise<void> {
    await callCognito(
      () =>
        this.client.send(
          new ChangePasswordCommand({
            AccessToken: input.accessToken,
            PreviousPassword: input.currentPassword,
            ProposedPassword: input.newPassword,
          }),
        ),
      {
        // Cognito says NotAuthorizedException both for a wrong current password and for a revoked token.
        NotAuthorizedException: (error) =>
          /incorrect username or password/i.test(error.message)
            ? new InvalidCredentialsError('The current password is incorrect.', { cause: error })
            : new UnauthorizedError(undefined, { cause: error }),
      },
    );
  }
}

function signInOutcome(result: { AuthenticationResult?: AuthenticationResultType; ChallengeName?: string; Session?: string }): SignInOutcome {
  const tokens = result.AuthenticationResult;
  if (tokens?.AccessToken && tokens.IdToken && tokens.RefreshToken) {
    return {
      accessToken: tokens.AccessToken,
      idToken: tokens.IdToken,
      refreshToken: tokens.RefreshToken,
      expiresIn: expiresIn(tokens),
      tokenType: 'Bearer',
    };
  }
  if (result.ChallengeName && result.Session) return { challenge: result.ChallengeName, session: result.Session };
  throw new Error('Cognito answered neither tokens nor a challenge');
}

function expiresIn(tokens: AuthenticationResultType): number {
  return tokens.ExpiresIn ?? 3600;
}
