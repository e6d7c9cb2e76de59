/**
 * Auth: the Cognito user pool (email sign-in, self sign-up, verified email, strong passwords,
 * optional TOTP MFA, threat protection outside development stages), its groups, and one public
 * app client (no secret) for USER_PASSWORD_AUTH and refresh tokens.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import {
  AccountRecovery,
  CfnUserPoolGroup,
  CfnUserPoolUser,
  CfnUserPoolUserToGroupAttachment,
  FeaturePlan,
  Mfa,
  StandardThreatProtectionMode,
  UserPool,
  UserPoolClient,
  VerificationEmailStyle,
  UserPoolOperation,
} from 'aws-cdk-lib/aws-cognito';
import { Effect, PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { UserPoolAction } from '../routes.js';
import type { Stage } from '../stage.js';
import { PASSWORD_POLICY, TOKEN_VALIDITY } from './auth-settings.js';

export type AuthConstructProps = {
  stage: Stage;
  /** Groups to create; the admin group is always one of them. */
  groups: readonly string[];
  adminGroup: string;
  mfa: 'off' | 'optional' | 'required';
  /** When set, this user is created in the admin group and emailed a temporary password. */
  adminEmail?: string;
};

export class AuthConstruct extends Construct {
  readonly userPool: UserPool;
  readonly userPoolClient: UserPoolClient;

  constructor(scope: Construct, id: string, props: AuthConstructProps) {
    super(scope, id);
    const production = !props.stage.isDevelopment;
    this.userPool = new UserPool(this, 'UserPool', {
      signInAliases: { email: true },
      signInCaseSensitive: false,
      selfSignUpEnabled: true,
      autoVerify: { email: true },
      keepOriginal: { email: true },
      standardAttributes: { email: { required: true, mutable: true }, fullname: { required: false, mutable: true } },
      userVerification: {
        emailStyle: VerificationEmailStyle.CODE,
        emailSubject: 'Your verification code',
        emailBody: 'Your verification code is {####}',
      },
      passwordPolicy: {
        minLength: PASSWORD_POLICY.minLength,
        requireLowercase: PASSWORD_POLICY.requireLowercase,
        requireUppercase: PASSWORD_POLICY.requireUppercase,
        requireDigits: PASSWORD_POLICY.requireDigits,
        requireSymbols: PASSWORD_POLICY.requireSymbols,
        tempPasswordValidity: Duration.days(PASSWORD_POLICY.tempPasswordValidityDays),
      },
      mfa: { off: Mfa.OFF, optional: Mfa.OPTIONAL, required: Mfa.REQUIRED }[props.mfa],
      mfaSecondFactor: props.mfa === 'off' ? undefined : { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      // Threat protection (adaptive authentication, compromised credentials) is billed per user:
      // on for kept stages, off for disposable development stages.
      featurePlan: production ? FeaturePlan.PLUS : FeaturePlan.ESSENTIALS,
      standardThreatProtectionMode: production ? StandardThreatProtectionMode.FULL_FUNCTION : undefined,
      deletionProtection: production,
      removalPolicy: props.stage.removalPolicy,
    });

    if (props.mfa !== 'required') {
      Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions-COG2',
        reason: `MFA is "${props.mfa}" in lambase.config.ts (users may enrol TOTP); set auth.mfa to "required" to enforce it.`,
      });
    }
    if (!production) {
      Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions-COG8',
        reason: 'Development stages use the Essentials plan to avoid per-user threat-protection cost; kept stages use Plus.',
      });
    }

    this.userPoolClient = this.userPool.addClient('WebClient', {
      generateSecret: false,
      authFlows: { userPassword: true, userSrp: true, adminUserPassword: false, custom: false },
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.minutes(TOKEN_VALIDITY.accessTokenMinutes),
      idTokenValidity: Duration.minutes(TOKEN_VALIDITY.idTokenMinutes),
      refreshTokenValidity: Duration.days(TOKEN_VALIDITY.refreshTokenDays),
    });

    const groups = [...new Set([props.adminGroup, ...props.groups])];
    for (const group of groups) {
      new CfnUserPoolGroup(this, `Group-${group}`, {
        userPoolId: this.userPool.userPoolId,
        groupName: group,
        precedence: group === props.adminGroup ? 0 : undefined,
      });
    }

    if (props.adminEmail) {
      const admin = new CfnUserPoolUser(this, 'FirstAdmin', {
        userPoolId: this.userPool.userPoolId,
        username: props.adminEmail,
        desiredDeliveryMediums: ['EMAIL'],
        userAttributes: [
          { name: 'email', value: props.adminEmail },
          { name: 'email_verified', value: 'true' },
        ],
      });
      const attachment = new CfnUserPoolUserToGroupAttachment(this, 'FirstAdminInGroup', {
        userPoolId: this.userPool.userPoolId,
        username: admin.ref,
        groupName: props.adminGroup,
      });
      attachment.node.addDependency(this.node.findChild(`Group-${props.adminGroup}`));
    }
  }

  /** Allows `grantee` exactly these admin actions on this pool. */
  grantActions(grantee: IGrantable, actions: readonly UserPoolAction[]): void {
    if (actions.length === 0) return;
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: actions.map((action) => `cognito-idp:${action}`),
        resources: [this.userPool.userPoolArn],
      }),
    );
  }

  /** Wires a Cognito trigger (e.g. post-confirmation) to a function. */
  addTrigger(operation: UserPoolOperation, fn: IFunction): void {
    this.userPool.addTrigger(operation, fn);
  }
}
