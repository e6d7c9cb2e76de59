/**
 * `AuthFlows` over Cognito's public API for the app client (no IAM): sign-up, confirmation,
 * USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH, challenges, password reset, and the calls a user makes
 * with their own access token (GlobalSignOut, ChangePassword).
 *
 * No user enumeration: at sign-in an unknown user, a wrong password, a disabled user and one whose
 * password must be reset are the same `InvalidCredentialsError`, with the same message; confirming
 * an account that is confirmed already is the same `CodeMismatchError` as an unknown email.
 *
 * Every call made on the user's behalf passes the user's address (`UserContextData.IpAddress`), so
 * threat protection scores the user's sign-ins rather than Lambda's egress addresses.
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
  type ChallengeNameType,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { CodeMismatchError, InvalidCredentialsError, UnauthorizedError, ValidationError } from '../core/errors.js';
import {
  CodeNotSentError,
  type AuthFlows,
  type ChallengeAnswer,
  type ClientContext,
  type RefreshedTokens,
  type SignInOutcome,
} from '../core/auth/ports.js';
import { callCognito, passwordConstraint, passwordConstraintError, type CognitoErrorOverrides } from './cognito-errors.js';

const invalidCredentials: CognitoErrorOverrides = {
  NotAuthorizedException: (error) => new InvalidCredentialsError(undefined, { cause: error }),
  UserNotFoundException: (error) => new InvalidCredentialsError(undefined, { cause: error }),
  // Saying that a reset is required would confirm the account exists: the same answer as a wrong password.
  PasswordResetRequiredException: (error) => new InvalidCredentialsError(undefined, { cause: error }),
};

/** A code for an unknown user is a wrong code (Cognito answers so itself when it prevents enumeration). */
const unknownUserIsWrongCode: CognitoErrorOverrides = {
  UserNotFoundException: (error) => new CodeMismatchError(undefined, { cause: error }),
};

/**
 * Limits Cognito applies per user (LimitExceededException) and a bounced address happen only for
 * accounts that exist: the use case hides them. TooManyRequestsException, the service's own
 * throttling, stays a 429.
 */
const codeNotSent: CognitoErrorOverrides = {
  LimitExceededException: (error) => new CodeNotSentError(error.name, { cause: error }),
  CodeDeliveryFailureException: (error) => new CodeNotSentError(error.name, { cause: error }),
};

/** Cognito's ChallengeResponses key for each answer it can take. */
const RESPONSE_KEYS: Readonly<Record<string, string>> = {
  NEW_PASSWORD_REQUIRED: 'NEW_PASSWORD',
  SOFTWARE_TOKEN_MFA: 'SOFTWARE_TOKEN_MFA_CODE',
  SMS_MFA: 'SMS_MFA_CODE',
  EMAIL_OTP: 'EMAIL_OTP_CODE',
};

/**
 * The end user's address for threat protection. Cognito takes `IpAddress` into account only for an
 * app client with EnablePropagateAdditionalUserContextData, which requires a client secret; the
 * emulator ignores it.
 */
function userContextData(client: ClientContext): { UserContextData?: { IpAddress: string } } {
  return client.ipAddress ? { UserContextData: { IpAddress: client.ipAddress } } : {};
}

export class CognitoAuthFlows implements AuthFlows {
  constructor(
    private readonly client: CognitoIdentityProviderClient,
    private readonly clientId: string,
  ) {}

  async signUp(input: { email: string; password: string; name?: string }, client: ClientContext): Promise<{ userId: string; confirmed: boolean }> {
    const result = await callCognito(
      () =>
        this.client.send(
          new SignUpCommand({
            ClientId: this.clientId,
            Username: input.email,
            Password: input.password,
            UserAttributes: [
              { Name: 'email', Value: input.email },
              ...(input.name ? [{ Name: 'name', Value: input.name }] : []),
            ],
            ...userContextData(client),
          }),
        ),
      passwordConstraint(/\bpassword\b/i),
    );
    if (!result.UserSub) throw new Error('Cognito SignUp answered without a UserSub');
    return { userId: result.UserSub, confirmed: result.UserConfirmed ?? false };
  }

  async confirmSignUp(email: string, code: string, client: ClientContext): Promise<void> {
    await callCognito(
      () =>
        this.client.send(
          new ConfirmSignUpCommand({ ClientId: this.clientId, Username: email, ConfirmationCode: code, ...userContextData(client) }),
        ),
      {
        ...unknownUserIsWrongCode,
        // "User cannot be confirmed. Current status is CONFIRMED" (or a disabled user): saying so would reveal the account.
        NotAuthorizedException: (error) => new CodeMismatchError(undefined, { cause: error }),
      },
    );
  }

  async resendConfirmationCode(email: string, client: ClientContext): Promise<void> {
    await callCognito(
      () => this.client.send(new ResendConfirmationCodeCommand({ ClientId: this.clientId, Username: email, ...userContextData(client) })),
      codeNotSent,
    );
  }

  async signIn(email: string, password: string, client: ClientContext): Promise<SignInOutcome> {
    const result = await callCognito(
      () =>
        this.client.send(
          new InitiateAuthCommand({
            ClientId: this.clientId,
            AuthFlow: 'USER_PASSWORD_AUTH',
            AuthParameters: { USERNAME: email, PASSWORD: password },
            ...userContextData(client),
          }),
        ),
      invalidCredentials,
    );
    return signInOutcome(result);
  }

  async respondToChallenge(
    input: { email: string; challenge: string; session: string; answer: ChallengeAnswer },
    client: ClientContext,
  ): Promise<SignInOutcome> {
    const responseKey = RESPONSE_KEYS[input.challenge];
    if (!responseKey) throw new ValidationError(`The ${input.challenge} challenge cannot be completed through this API.`);
    const value = input.answer.kind === 'newPassword' ? input.answer.newPassword : input.answer.code;
    const sessionGone = (error: Error) => new InvalidCredentialsError('The session is invalid or has expired: sign in again.', { cause: error });
    const result = await callCognito(
      () =>
        this.client.send(
          new RespondToAuthChallengeCommand({
            ClientId: this.clientId,
            ChallengeName: input.challenge as ChallengeNameType,
            Session: input.session,
            ChallengeResponses: { USERNAME: input.email, [responseKey]: value },
            ...userContextData(client),
          }),
        ),
      {
        NotAuthorizedException: sessionGone,
        UserNotFoundException: sessionGone,
        ...(input.answer.kind === 'newPassword' ? passwordConstraint(/password/i) : {}),
      },
    );
    return signInOutcome(result);
  }

  async refresh(refreshToken: string, client: ClientContext): Promise<RefreshedTokens> {
    const revoked = (error: Error) => new UnauthorizedError('The refresh token is invalid, expired or revoked: sign in again.', { cause: error });
    const result = await callCognito(
      () =>
        this.client.send(
          new InitiateAuthCommand({
            ClientId: this.clientId,
            AuthFlow: 'REFRESH_TOKEN_AUTH',
            AuthParameters: { REFRESH_TOKEN: refreshToken },
            ...userContextData(client),
          }),
        ),
      { NotAuthorizedException: revoked, UserNotFoundException: revoked },
    );
    const tokens = result.AuthenticationResult;
    if (!tokens?.AccessToken || !tokens.IdToken) throw new Error('Cognito refreshed without tokens');
    return { accessToken: tokens.AccessToken, idToken: tokens.IdToken, expiresIn: expiresIn(tokens), tokenType: 'Bearer' };
  }

  async forgotPassword(email: string, client: ClientContext): Promise<void> {
    await callCognito(
      () => this.client.send(new ForgotPasswordCommand({ ClientId: this.clientId, Username: email, ...userContextData(client) })),
      codeNotSent,
    );
  }

  async confirmForgotPassword(input: { email: string; code: string; newPassword: string }, client: ClientContext): Promise<void> {
    await callCognito(
      () =>
        this.client.send(
          new ConfirmForgotPasswordCommand({
            ClientId: this.clientId,
            Username: input.email,
            ConfirmationCode: input.code,
            Password: input.newPassword,
            ...userContextData(client),
          }),
        ),
      {
        ...unknownUserIsWrongCode,
        ...passwordConstraint(/\bpassword\b/i),
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
            ? wrongCurrentPassword(error)
            : new UnauthorizedError(undefined, { cause: error }),
        // A current password Cognito's constraints refuse cannot be the right one; a new one is the user's to fix.
        InvalidParameterException: (error) =>
          /previousPassword/i.test(error.message ?? '')
            ? wrongCurrentPassword(error)
            : /proposedPassword/i.test(error.message ?? '')
              ? passwordConstraintError(error)
              : undefined,
      },
    );
  }
}

function wrongCurrentPassword(error: Error): InvalidCredentialsError {
  return new InvalidCredentialsError('The current password is incorrect.', { cause: error });
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
