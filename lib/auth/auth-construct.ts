/**
 * Auth: the Cognito user pool (email sign-in, self sign-up, verified email, strong passwords,
 * optional TOTP MFA, threat protection outside development stages), its groups, and one public
 * app client (no secret) for USER_PASSWORD_AUTH and refresh tokens.
 */
import { Annotations, Duration, Stack, Validations } from 'aws-cdk-lib';
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
  UserPoolEmail,
  VerificationEmailStyle,
  UserPoolOperation,
} from 'aws-cdk-lib/aws-cognito';
import { Effect, PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { UserPoolAction } from '../route-types.js';
import type { Stage } from '../stage.js';
import { PASSWORD_POLICY, TOKEN_VALIDITY, VERIFICATION_EMAIL } from './auth-settings.js';

export type AuthConstructProps = {
  stage: Stage;
  /** Groups to create; the admin group is always one of them. */
  groups: readonly string[];
  adminGroup: string;
  mfa: 'off' | 'optional';
  /** Send Cognito's emails through SES; Cognito's own sender otherwise (about 50 a day). */
  email?: { from: string; replyTo?: string; sesRegion?: string };
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
        emailSubject: VERIFICATION_EMAIL.subject,
        emailBody: VERIFICATION_EMAIL.body,
      },
      passwordPolicy: {
        minLength: PASSWORD_POLICY.minLength,
        requireLowercase: PASSWORD_POLICY.requireLowercase,
        requireUppercase: PASSWORD_POLICY.requireUppercase,
        requireDigits: PASSWORD_POLICY.requireDigits,
        requireSymbols: PASSWORD_POLICY.requireSymbols,
        tempPasswordValidity: Duration.days(PASSWORD_POLICY.tempPasswordValidityDays),
      },
      mfa: props.mfa === 'off' ? Mfa.OFF : Mfa.OPTIONAL,
      mfaSecondFactor: props.mfa === 'off' ? undefined : { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      // Threat protection (adaptive authentication, compromised credentials) is billed per user:
      // on for kept stages, off for disposable development stages. It audits rather than blocks:
      // sign-ins reach Cognito from Lambda, and a secretless client cannot forward the user's own
      // address, so blocking on risk would judge AWS's addresses, not the user's.
      featurePlan: production ? FeaturePlan.PLUS : FeaturePlan.ESSENTIALS,
      standardThreatProtectionMode: production ? StandardThreatProtectionMode.AUDIT_ONLY : undefined,
      email: props.email
        ? UserPoolEmail.withSES({
            fromEmail: props.email.from,
            replyTo: props.email.replyTo,
            sesRegion: props.email.sesRegion ?? Stack.of(this).region,
          })
        : undefined,
      deletionProtection: production,
      removalPolicy: props.stage.removalPolicy,
    });

    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG2',
      reason: `MFA is "${props.mfa}" in lambase.config.ts: users may enrol TOTP; requiring it waits for the API's enrolment routes.`,
    });
    if (production) {
      Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions-COG3',
        reason: 'Threat protection audits: sign-ins arrive from Lambda, so enforcing would block on AWS addresses, not users\'.',
      });
      if (!props.email) {
        Annotations.of(this.userPool).addWarningV2(
          'lambase:cognito-email',
          'Cognito\'s own email sender allows about 50 emails a day: set auth.email (an SES identity) in lambase.config.ts for this stage.',
        );
      }
    }
    if (!production) {
      Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions-COG8',
        reason: 'Development stages use the Essentials plan to avoid per-user threat-protection cost; kept stages use Plus.',
      });
    }

    this.userPoolClient = this.userPool.addClient('WebClient', {
      generateSecret: false,
      // No hosted UI: OAuth flows (and their example.com callback default) stay off.
      disableOAuth: true,
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
