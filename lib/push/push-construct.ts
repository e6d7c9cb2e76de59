/**
 * Push: an SNS platform application for each platform whose credentials the config references
 * (created by a custom resource from the named secret), and the config's topics, encrypted and
 * TLS-only. `grantActions` gives a function exactly the SNS actions its route names, each on
 * Lambase's own push resources only.
 */
import { ArnFormat, Aws, CustomResource, Stack, Validations } from 'aws-cdk-lib';
import { Effect, PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Alias } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { IConstruct } from 'constructs';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { Backend } from '../../functions/core/config/define-backend.js';
import { CONFIG_KEY, DEVICE_PLATFORMS, SNS_PLATFORM, type DevicePlatform, type PushPlatform } from '../../functions/core/push/push-platforms.js';
import { LambaseFunction } from '../functions/lambase-function.js';
import type { PushAction } from '../route-types.js';
import type { Stage } from '../stage.js';

export type PushConstructProps = { stage: Stage; push: Backend['push'] };

const PLATFORMS: readonly PushPlatform[] = ['apns', 'apnsSandbox', 'fcm'];

export class PushConstruct extends Construct {
  /** Platform application ARN per configured platform ('' while its secret does not exist). */
  readonly platformApplicationArns = new Map<PushPlatform, string>();
  readonly topics = new Map<string, Topic>();
  /** Platform application name per configured platform: its ARN and its endpoints' ARNs are built from it. */
  private readonly applicationNames = new Map<PushPlatform, string>();

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
        { id: 'Serverless-LambdaDefaultMemorySize', reason: 'The CDK Provider framework function (library code) sets no memory size of its own; it runs once per deploy.' },
        { id: 'Serverless-LambdaDLQ', reason: 'Invoked synchronously by the CDK Provider framework for CloudFormation, which reports a failure itself.' },
        { id: 'Serverless-LambdaTracing', reason: 'Library code run once per deploy; X-Ray is off stack-wide (see lib/functions/lambase-function.ts).' },
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
        const name = `lambase-${props.stage.name}-${platform}-${stack.node.addr.slice(0, 8)}`;
        this.applicationNames.set(platform, name);
        const resource = new CustomResource(this, `PlatformApplication-${platform}`, {
          serviceToken: provider.serviceToken,
          resourceType: 'Custom::LambasePushPlatform',
          properties: {
            Platform: platform,
            SecretName: secretName,
            Name: name,
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

  /** Platform application ARN per API platform the config enables, for the functions' environment. */
  get applicationArnsByDevicePlatform(): Partial<Record<DevicePlatform, string>> {
    const arns: Partial<Record<DevicePlatform, string>> = {};
    for (const platform of DEVICE_PLATFORMS) {
      const arn = this.platformApplicationArns.get(CONFIG_KEY[platform]);
      if (arn !== undefined) arns[platform] = arn;
    }
    return arns;
  }

  /** Topic ARN per Lambase topic, for the functions' environment. */
  get topicArns(): Record<string, string> {
    return Object.fromEntries([...this.topics].map(([name, topic]) => [name, topic.topicArn]));
  }

  /** Exactly `actions`, each on the push resources it acts on (lib/route-types.ts `PushAction`). */
  grantActions(grantee: IGrantable, actions: readonly PushAction[]): void {
    const applications = [...this.applicationNames].map(([platform, name]) => `${SNS_PLATFORM[platform]}/${name}`);
    // Written with the pseudo parameters (not formatArn), so the wildcard ARNs read the same to
    // cdk-nag whether or not the stack's account and region are known at synth time.
    const sns = (resource: string) => `arn:${Aws.PARTITION}:sns:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}`;
    const endpointArns = applications.map((application) => sns(`endpoint/${application}/*`));
    const topics = [...this.topics.values()];
    const topicArns = topics.map((topic) => topic.topicArn);
    // IAM's service reference lists no resource type for the endpoint-level actions and Unsubscribe:
    // a policy naming ARNs for them would be denied, so they take "*" (each function still gets only
    // the actions its route names). Subscribe and Publish are checked against topic and endpoint ARNs.
    const anyResource = (present: boolean) => (present ? ['*'] : []);
    const resourcesOf: Record<PushAction, string[]> = {
      CreatePlatformEndpoint: anyResource(applications.length > 0),
      GetEndpointAttributes: anyResource(applications.length > 0),
      SetEndpointAttributes: anyResource(applications.length > 0),
      DeleteEndpoint: anyResource(applications.length > 0),
      Subscribe: topicArns,
      Unsubscribe: anyResource(topics.length > 0),
      Publish: [...topicArns, ...endpointArns],
    };
    const granted = actions.filter((action) => resourcesOf[action].length > 0);
    for (const action of granted) {
      grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ effect: Effect.ALLOW, actions: [`sns:${action}`], resources: resourcesOf[action] }));
    }
    const principal = Validations.of(grantee.grantPrincipal as unknown as IConstruct);
    if (granted.some((action) => resourcesOf[action].some((arn) => endpointArns.includes(arn)))) {
      for (const application of applications) {
        principal.acknowledge({
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sns:<AWS::Region>:<AWS::AccountId>:endpoint/${application}/*]`,
          reason: `Device endpoints are created at run time under Lambase's own ${application.split('/')[0]} application; the wildcard covers that application's endpoints only.`,
        });
      }
    }
    if (granted.some((action) => resourcesOf[action].includes('*'))) {
      principal.acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'SNS has no resource-level permissions for CreatePlatformEndpoint, Get/SetEndpointAttributes, DeleteEndpoint and Unsubscribe; this role holds only the ones its route calls.',
      });
    }
  }
}
