/**
 * Push: an SNS platform application for each platform whose credentials the config references
 * (created by a custom resource from the named secret), and the config's topics, encrypted and
 * TLS-only.
 */
import { ArnFormat, CustomResource, Stack, Validations } from 'aws-cdk-lib';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Alias } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { Backend } from '../../functions/core/config/define-backend.js';
import type { PushPlatform } from '../../functions/core/push-platforms.js';
import { LambaseFunction } from '../functions/lambase-function.js';
import type { Stage } from '../stage.js';

export type PushConstructProps = { stage: Stage; push: Backend['push'] };

const PLATFORMS: readonly PushPlatform[] = ['apns', 'apnsSandbox', 'fcm'];

export class PushConstruct extends Construct {
  /** Platform application ARN per configured platform ('' while its secret does not exist). */
  readonly platformApplicationArns = new Map<PushPlatform, string>();
  readonly topics = new Map<string, Topic>();

  constructor(scope: Construct, id: string, props: PushConstructProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const configured = PLATFORMS.filter((platform) => props.push[platform]);
    if (configured.length > 0) {
      const onEvent = new LambaseFunction(this, 'PlatformApplicationResource', {
        settings: { handler: 'functions/push/platform-application-resource.ts', grants: [], timeoutSeconds: 60 },
        stage: props.stage,
        environment: { POWERTOOLS_SERVICE_NAME: 'lambase' },
      });
      onEvent.addToRolePolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['sns:CreatePlatformApplication', 'sns:SetPlatformApplicationAttributes', 'sns:DeletePlatformApplication'],
          // SNS offers no resource-level permissions for platform applications.
          resources: ['*'],
        }),
      );
      Validations.of(onEvent.role!).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'SNS platform-application actions support no resource-level permissions; this function only manages the config\'s platforms.',
      });
      const provider = new Provider(this, 'PlatformApplicationProvider', { onEventHandler: onEvent });
      const framework = provider.node.findChild('framework-onEvent');
      Validations.of(framework).acknowledge(
        {
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          reason: 'Role of the CDK Provider framework function (library code): logging permissions only.',
        },
        {
          id: 'AwsSolutions-IAM5[Resource::<PushPlatformApplicationResourceC4DEC193.Arn>:*]',
          reason: 'The CDK Provider framework may invoke any version of our own custom-resource function.',
        },
        { id: 'AwsSolutions-L1', reason: 'The CDK Provider framework picks its own runtime.' },
      );
      for (const platform of configured) {
        const secretName = props.push[platform]!.secretName;
        onEvent.addToRolePolicy(
          new PolicyStatement({
            effect: Effect.ALLOW,
            actions: ['secretsmanager:GetSecretValue'],
            // A secret's ARN ends in six random characters; asking for one that does not exist yet
            // is checked against the bare name, which must be allowed too to get "not found".
            resources: [
              stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: secretName, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
              stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${secretName}-??????`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
            ],
          }),
        );
        const resource = new CustomResource(this, `PlatformApplication-${platform}`, {
          serviceToken: provider.serviceToken,
          resourceType: 'Custom::LambasePushPlatform',
          properties: {
            Platform: platform,
            SecretName: secretName,
            Name: `lambase-${props.stage.name}-${platform}-${stack.node.addr.slice(0, 8)}`,
            Refresh: this.node.tryGetContext('pushRefresh') ?? '0',
          },
        });
        this.platformApplicationArns.set(platform, resource.getAttString('Arn'));
      }
    }
    const snsKey = Alias.fromAliasName(this, 'SnsManagedKey', 'alias/aws/sns');
    for (const name of props.push.topics) {
      this.topics.set(name, new Topic(this, `Topic-${name}`, { enforceSSL: true, masterKey: snsKey }));
    }
  }
}

