/**
 * Writes the one Lambase user pool, its app client and groups into cognito-local's store, with ids
 * shaped like Cognito's (`<region>_<9 alphanumerics>`, 26-character client id) so aws-jwt-verify
 * accepts the tokens, and settings mirroring lib/auth/auth-construct.ts. Ids are created once per
 * data directory and found again on every start; settings are rewritten on every start so a changed
 * auth-settings.ts applies.
 */
import { randomInt } from 'node:crypto';
import type { AppClient } from 'cognito-local/lib/services/appClient.js';
import { USER_POOL_AWS_DEFAULTS, type CognitoService } from 'cognito-local/lib/services/cognitoService.js';
import type { Context } from 'cognito-local/lib/services/context.js';
import type { UserPool, UserPoolService } from 'cognito-local/lib/services/userPoolService.js';
import { PASSWORD_POLICY, TOKEN_VALIDITY } from '../../../lib/auth/auth-settings.js';

export type SeededPool = { userPool: UserPoolService; client: AppClient };

const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const LOWER_ALPHANUMERIC = '0123456789abcdefghijklmnopqrstuvwxyz';
const CLIENT_NAME = 'lambase-web';

function randomString(alphabet: string, length: number): string {
  return Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');
}

/** The pool settings of lib/auth/auth-construct.ts, in UserPoolType form. */
function poolSettings(region: string, id: string): Omit<UserPool, 'Id'> {
  return {
    Name: 'lambase',
    Arn: `arn:aws:cognito-idp:${region}:000000000000:userpool/${id}`,
    UsernameAttributes: ['email'],
    AutoVerifiedAttributes: ['email'],
    UsernameConfiguration: { CaseSensitive: false },
    // keepOriginal: a new email only replaces the old one once verified.
    UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['email'] },
    Policies: {
      PasswordPolicy: {
        MinimumLength: PASSWORD_POLICY.minLength,
        RequireLowercase: PASSWORD_POLICY.requireLowercase,
        RequireUppercase: PASSWORD_POLICY.requireUppercase,
        RequireNumbers: PASSWORD_POLICY.requireDigits,
        RequireSymbols: PASSWORD_POLICY.requireSymbols,
        TemporaryPasswordValidityDays: PASSWORD_POLICY.tempPasswordValidityDays,
      },
    },
    SchemaAttributes: (USER_POOL_AWS_DEFAULTS.SchemaAttributes ?? []).map((attribute) =>
      attribute.Name === 'email' ? { ...attribute, Required: true } : attribute,
    ),
    MfaConfiguration: 'OFF',
    AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
    VerificationMessageTemplate: { DefaultEmailOption: 'CONFIRM_WITH_CODE' },
    AdminCreateUserConfig: { AllowAdminCreateUserOnly: false },
  };
}

function clientSettings(): Partial<AppClient> {
  return {
    ClientName: CLIENT_NAME,
    ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    PreventUserExistenceErrors: 'ENABLED',
    EnableTokenRevocation: true,
    SupportedIdentityProviders: ['COGNITO'],
    AccessTokenValidity: TOKEN_VALIDITY.accessTokenMinutes,
    IdTokenValidity: TOKEN_VALIDITY.idTokenMinutes,
    RefreshTokenValidity: TOKEN_VALIDITY.refreshTokenDays,
    TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' },
  };
}

export async function seedPool(
  ctx: Context,
  cognito: CognitoService,
  options: { region: string; groups: readonly string[]; now: Date },
): Promise<SeededPool> {
  const { region, now } = options;
  const poolIdPattern = new RegExp(`^${region}_[A-Za-z0-9]{9}$`);
  const existing = (await cognito.listUserPools(ctx)).find((pool) => poolIdPattern.test(pool.Id));
  const id = existing?.Id ?? `${region}_${randomString(ALPHANUMERIC, 9)}`;
  if (!existing) {
    await cognito.createUserPool(ctx, { Id: id, ...poolSettings(region, id), CreationDate: now, LastModifiedDate: now });
  }
  const userPool = await cognito.getUserPool(ctx, id);
  if (existing) await userPool.updateOptions(ctx, { ...userPool.options, ...poolSettings(region, id) });

  const clients = await cognito.listAppClients(ctx, id);
  const previous = clients.find((client) => client.ClientName === CLIENT_NAME);
  const client: AppClient = {
    UserPoolId: id,
    ClientId: previous?.ClientId ?? randomString(LOWER_ALPHANUMERIC, 26),
    CreationDate: previous?.CreationDate ?? now,
    LastModifiedDate: now,
    ClientName: CLIENT_NAME,
    ...clientSettings(),
  };
  await userPool.saveAppClient(ctx, client);

  for (const groupName of new Set(options.groups)) {
    if (await userPool.getGroupByGroupName(ctx, groupName)) continue;
    await userPool.saveGroup(ctx, { GroupName: groupName, CreationDate: now, LastModifiedDate: now });
  }
  return { userPool, client };
}
