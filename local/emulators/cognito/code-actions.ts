/**
 * Sign-up and password reset: the flows that email a code. Cognito enforces the password policy,
 * keeps sign-up and reset codes apart, expires them (24 h and 1 h), verifies the email on
 * confirmation, masks where codes went and never reveals whether an account exists.
 */
import { randomInt } from 'node:crypto';
import type { Context } from 'cognito-local/lib/services/context.js';
import { attribute, attributesAppend } from 'cognito-local/lib/services/userPoolService.js';
import { cognitoError } from './cognito-errors.js';
import {
  appClient,
  assertPasswordPolicy,
  attributeOf,
  findUser,
  maskedEmailDelivery,
  RESET_CODE_LIFETIME_MS,
  SIGN_UP_CODE_LIFETIME_MS,
  text,
  saveUser,
  type Action,
  type Layer,
  type LayerUser,
} from './layer.js';

type CodeDelivery = { CodeDeliveryDetails?: { Destination?: string } };

/** The answer to a code request for an unknown user: a code "sent" to a simulated address. */
function simulatedDelivery(username: unknown): CodeDelivery {
  return { CodeDeliveryDetails: maskedEmailDelivery(typeof username === 'string' ? username : 'user@example.com') };
}

function masked<T extends CodeDelivery>(result: T): T {
  const destination = result.CodeDeliveryDetails?.Destination;
  return destination ? { ...result, CodeDeliveryDetails: maskedEmailDelivery(destination) } : result;
}

async function markCode(layer: Layer, ctx: Context, username: string, purpose: LayerUser['CodePurpose']): Promise<void> {
  const user: LayerUser | null = await layer.userPool.getUserByUsername(ctx, username);
  if (user?.ConfirmationCode) await saveUser(layer, ctx, { ...user, CodePurpose: purpose, CodeIssuedAt: layer.now() });
}

async function clearCode(layer: Layer, ctx: Context, username: string): Promise<void> {
  const user: LayerUser | null = await layer.userPool.getUserByUsername(ctx, username);
  if (user) await saveUser(layer, ctx, { ...user, ConfirmationCode: undefined, CodePurpose: undefined, CodeIssuedAt: undefined });
}

/** A code is good for its own flow, when it matches, within its lifetime (then ExpiredCodeException). */
function assertCode(
  layer: Layer,
  user: LayerUser | null,
  code: unknown,
  purpose: 'SignUp' | 'ForgotPassword',
): asserts user is LayerUser {
  const stored = user?.ConfirmationCode;
  // Codes stored before this layer existed carry no purpose: they can only be sign-up codes.
  const ownFlow = (user?.CodePurpose ?? 'SignUp') === purpose;
  if (!user || !stored || !ownFlow || stored !== code) throw cognitoError.codeMismatch();
  const lifetime = purpose === 'SignUp' ? SIGN_UP_CODE_LIFETIME_MS : RESET_CODE_LIFETIME_MS;
  if (user.CodeIssuedAt !== undefined && layer.now() - user.CodeIssuedAt > lifetime) throw cognitoError.expiredCode();
}

const signUp: Action = async (layer, ctx, req, next) => {
  await appClient(layer, ctx, req.ClientId);
  assertPasswordPolicy(req.Password, 'Password');
  if (await findUser(layer, ctx, req.Username)) throw cognitoError.usernameExists();
  const result = (await next(ctx, req)) as CodeDelivery & { UserSub: string };
  await markCode(layer, ctx, result.UserSub, 'SignUp');
  return masked(result);
};

const confirmSignUp: Action = async (layer, ctx, req, next) => {
  await appClient(layer, ctx, req.ClientId);
  const user = await findUser(layer, ctx, req.Username);
  if (user && user.UserStatus !== 'UNCONFIRMED') {
    throw cognitoError.notAuthorized(`User cannot be confirmed. Current status is ${user.UserStatus}`);
  }
  assertCode(layer, user, req.ConfirmationCode, 'SignUp');
  // Confirming with an emailed code verifies the email (the PostConfirmation event shows it).
  await saveUser(layer, ctx, { ...user, Attributes: attributesAppend(user.Attributes, attribute('email_verified', 'true')) });
  const result = await next(ctx, { ...req, Username: user.Username });
  await clearCode(layer, ctx, user.Username);
  return result;
};

const resendConfirmationCode: Action = async (layer, ctx, req) => {
  await appClient(layer, ctx, req.ClientId);
  const user = await findUser(layer, ctx, req.Username);
  if (!user) return simulatedDelivery(req.Username);
  if (user.UserStatus !== 'UNCONFIRMED') throw cognitoError.invalidParameter('User is already confirmed.');
  const email = attributeOf(user, 'email');
  if (!email) throw cognitoError.invalidParameter('User has no attribute matching desired auto verified attributes');
  const code = String(randomInt(1_000_000)).padStart(6, '0');
  const updated: LayerUser = { ...user, ConfirmationCode: code, CodePurpose: 'SignUp', CodeIssuedAt: layer.now() };
  await layer.userPool.saveUser(ctx, updated);
  const delivery = { AttributeName: 'email', DeliveryMedium: 'EMAIL', Destination: email } as const;
  const clientMetadata = req.ClientMetadata as Record<string, string> | undefined;
  await layer.services.messages.deliver(ctx, 'ResendCode', String(req.ClientId), layer.userPool.options.Id, updated, code, clientMetadata, delivery);
  return { CodeDeliveryDetails: maskedEmailDelivery(email) };
};

const forgotPassword: Action = async (layer, ctx, req, next) => {
  await appClient(layer, ctx, req.ClientId);
  const user = await findUser(layer, ctx, req.Username);
  if (!user) return simulatedDelivery(req.Username);
  if (!user.Enabled) throw cognitoError.userDisabled();
  if (user.UserStatus === 'FORCE_CHANGE_PASSWORD') {
    throw cognitoError.notAuthorized('User password cannot be reset in the current state.');
  }
  if (attributeOf(user, 'email_verified') !== 'true') {
    throw cognitoError.invalidParameter('Cannot reset password for the user as there is no registered/verified email or phone_number');
  }
  const result = (await next(ctx, { ...req, Username: user.Username })) as CodeDelivery;
  await markCode(layer, ctx, user.Username, 'ForgotPassword');
  return masked(result);
};

const confirmForgotPassword: Action = async (layer, ctx, req, next) => {
  await appClient(layer, ctx, req.ClientId);
  assertPasswordPolicy(req.Password, 'Password');
  if (!text(req.ConfirmationCode)) throw cognitoError.invalidParameter('Missing required parameter ConfirmationCode');
  const user = await findUser(layer, ctx, req.Username);
  assertCode(layer, user, req.ConfirmationCode, 'ForgotPassword');
  const result = await next(ctx, { ...req, Username: user.Username });
  await clearCode(layer, ctx, user.Username);
  return result;
};

export const codeActions: Record<string, Action> = {
  SignUp: signUp,
  ConfirmSignUp: confirmSignUp,
  ResendConfirmationCode: resendConfirmationCode,
  ForgotPassword: forgotPassword,
  ConfirmForgotPassword: confirmForgotPassword,
};
