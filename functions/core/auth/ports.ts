/**
 * The ports the auth use cases work through. Adapters in functions/adapters implement them over
 * Cognito and the single table; they turn the provider's failures into the domain errors of
 * ../errors.ts, so nothing here knows Cognito's exception names.
 */
export type AuthTokens = {
  accessToken: string;
  idToken: string;
  refreshToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  tokenType: 'Bearer';
};

export type RefreshedTokens = Omit<AuthTokens, 'refreshToken'>;

/** Sign-in needs one more step; `session` identifies it when the client answers. */
export type AuthChallenge = { challenge: string; session: string };

export type SignInOutcome = AuthTokens | AuthChallenge;

/** What the client answers a challenge with: a new password, or a one-time code (MFA). */
export type ChallengeAnswer = { kind: 'newPassword'; newPassword: string } | { kind: 'code'; code: string };

/** Where a request came from, for the provider's risk analysis (sign-ins scored by the user's address, not Lambda's). */
export type ClientContext = { ipAddress?: string };

/**
 * The provider did not send a code for a reason that concerns this one account (its own request
 * limit, an address that cannot receive mail). It never happens for an unknown email, so the
 * answer must not show it; it is only logged.
 */
export class CodeNotSentError extends Error {
  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`The code was not sent (${reason}).`, options);
    this.name = 'CodeNotSentError';
  }
}

/**
 * The identity provider's public API, used on the user's behalf (no IAM): the flows a user goes
 * through with an email, a password, a code or their own token.
 *
 * Failures: `UserExistsError`, `InvalidPasswordError`, `CodeMismatchError`, `CodeExpiredError`,
 * `UserNotConfirmedError`, `InvalidCredentialsError` (sign-in, whether the user exists or not),
 * `UnauthorizedError` (a token that is invalid, expired or revoked), `TooManyRequestsError`,
 * `CodeNotSentError` (code requests only). Calls made on the user's behalf carry `client`.
 */
export type AuthFlows = {
  signUp(input: { email: string; password: string; name?: string }, client: ClientContext): Promise<{ userId: string; confirmed: boolean }>;
  confirmSignUp(email: string, code: string, client: ClientContext): Promise<void>;
  resendConfirmationCode(email: string, client: ClientContext): Promise<void>;
  signIn(email: string, password: string, client: ClientContext): Promise<SignInOutcome>;
  /** Answers `challenge` (the name sign-in returned) in the provider's `session`. */
  respondToChallenge(
    input: { email: string; challenge: string; session: string; answer: ChallengeAnswer },
    client: ClientContext,
  ): Promise<SignInOutcome>;
  refresh(refreshToken: string, client: ClientContext): Promise<RefreshedTokens>;
  forgotPassword(email: string, client: ClientContext): Promise<void>;
  confirmForgotPassword(input: { email: string; code: string; newPassword: string }, client: ClientContext): Promise<void>;
  /** Revokes every refresh token of the token's user (and the access tokens they issued). */
  signOutEverywhere(accessToken: string): Promise<void>;
  changePassword(input: { accessToken: string; currentPassword: string; newPassword: string }): Promise<void>;
};

/** A user as the identity provider keeps it. */
export type DirectoryUser = {
  userId: string;
  email: string;
  emailVerified: boolean;
  name?: string;
  enabled: boolean;
  createdAt: string;
};

/**
 * The identity provider's administrative API (IAM-authorized). Users are named by `userId` (the
 * token's `sub`). Calls on a user that does not exist throw `NotFoundError`, except `findUser`.
 */
export type UserDirectory = {
  findUser(userId: string): Promise<DirectoryUser | undefined>;
  groupsOf(userId: string): Promise<string[]>;
  /** `undefined` removes the name. */
  setName(userId: string, name: string | undefined): Promise<void>;
  deleteUser(userId: string): Promise<void>;
  /** Up to `limit` users after `token` (the provider's own paging token) and the token for the rest. */
  listUsers(page: { limit: number; token?: string }): Promise<{ users: DirectoryUser[]; nextToken?: string }>;
  addToGroup(userId: string, group: string): Promise<void>;
  removeFromGroup(userId: string, group: string): Promise<void>;
  disable(userId: string): Promise<void>;
  enable(userId: string): Promise<void>;
};

/** The user's profile record in the single table (`USER#<userId>` / `PROFILE`). */
export type ProfileRecord = { userId: string; email: string; name?: string; createdAt: string };

export type ProfileStore = {
  /** Creates the record; an existing one is kept as it is (so a retried trigger changes nothing). */
  create(profile: ProfileRecord): Promise<void>;
  /** Sets (or, with `undefined`, removes) the name at `at`, creating the record from `seed` when it is missing. */
  saveName(userId: string, name: string | undefined, seed: { email: string; createdAt: string }, at: Date): Promise<void>;
  /** Removes the record; removing a missing record is not an error. */
  delete(userId: string): Promise<void>;
};

/**
 * One kind of data a user owns (documents, files, devices, the inbox…), as `GET /me/export` and
 * `DELETE /me` see it. Features implement it next to their own stores; `ownedData()` in
 * functions/auth/auth-wiring.ts lists the implementations the export and delete handlers use.
 *
 * @example
 * const devices: OwnedData = {
 *   kind: 'devices',
 *   exportFor: (userId) => deviceStore.listAll(userId),
 *   eraseFor: (userId) => deviceStore.deleteAll(userId),
 * };
 */
export type OwnedData = {
  /** The key this data has in the export: `documents`, `files`, `devices`, `notifications`… */
  kind: string;
  /** Everything of this kind the user owns, as the API shows it (a list, or one record or null for a single item such as the location). */
  exportFor(userId: string): Promise<unknown[] | Record<string, unknown> | null>;
  /** Deletes everything of this kind the user owns. Must be safe to call again after a partial run. */
  eraseFor(userId: string): Promise<void>;
};
