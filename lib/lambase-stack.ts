/**
 * One stack per stage, composed from the feature constructs. Everything the user can change lives
 * in lambase.config.ts; the stage decides what is kept and who may call from a browser.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Backend } from '../functions/core/config/define-backend.js';
import { OUTPUTS_VERSION } from '../functions/contract/stack-outputs.js';
import { ApiConstruct } from './api/api-construct.js';
import { AuthConstruct } from './auth/auth-construct.js';
import { DataConstruct } from './data/data-construct.js';
import { BackendResources } from './functions/backend-resources.js';
import { PushConstruct } from './push/push-construct.js';
import { RealtimeConstruct } from './realtime/realtime-construct.js';
import { allRoutes, defaultRoute, realtimeRoutes } from './routes.js';
import type { Stage } from './stage.js';
import { StorageConstruct } from './storage/storage-construct.js';
import { allTriggers } from './triggers.js';
import { TriggersConstruct } from './triggers-construct.js';

export type LambaseStackProps = StackProps & {
  stage: Stage;
  backend: Backend;
  /** Browser origins allowed by CORS. Development stages allow any origin. */
  allowedOrigins?: readonly string[];
  /** Creates this user in the admin group (Cognito emails a temporary password). */
  adminEmail?: string;
};

export class LambaseStack extends Stack {
  readonly auth: AuthConstruct;
  readonly data: DataConstruct;
  readonly storage: StorageConstruct;
  readonly push: PushConstruct;
  readonly api: ApiConstruct;
  readonly realtime: RealtimeConstruct;
  readonly triggers: TriggersConstruct;

  constructor(scope: Construct, id: string, props: LambaseStackProps) {
    super(scope, id, props);
    const { stage, backend } = props;
    const allowedOrigins = resolveOrigins(stage, props.allowedOrigins);

    this.auth = new AuthConstruct(this, 'Auth', {
      stage,
      groups: backend.auth.groups,
      adminGroup: backend.auth.adminGroup,
      mfa: backend.auth.mfa,
      email: backend.auth.email,
      adminEmail: props.adminEmail,
    });
    this.data = new DataConstruct(this, 'Data', { stage });
    this.storage = new StorageConstruct(this, 'Storage', { stage, allowedOrigins });
    this.push = new PushConstruct(this, 'Push', { stage, push: backend.push });
    this.realtime = new RealtimeConstruct(this, 'Realtime', { stage, throttle: backend.api.throttle });
    const resources = new BackendResources(stage, this.auth, this.data, this.storage, this.push, this.realtime);
    this.api = new ApiConstruct(this, 'Api', { resources, routes: allRoutes(backend), defaultRoute, allowedOrigins, throttle: backend.api.throttle });
    this.realtime.addRoutes(resources, realtimeRoutes);
    this.triggers = new TriggersConstruct(this, 'Triggers', { resources, triggers: allTriggers(backend) });

    new CfnOutput(this, 'OutputsVersion', { value: String(OUTPUTS_VERSION), description: 'Version of these outputs (functions/contract/stack-outputs.ts)' });
    new CfnOutput(this, 'Region', { value: this.region });
    new CfnOutput(this, 'UserPoolId', { value: this.auth.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.auth.userPoolClient.userPoolClientId });
    new CfnOutput(this, 'BucketName', { value: this.storage.bucket.bucketName });
  }
}

function resolveOrigins(stage: Stage, origins: readonly string[] | undefined): readonly string[] {
  if (origins && origins.length > 0) return origins;
  if (stage.isDevelopment) return ['*'];
  throw new Error(
    `Stage "${stage.name}" keeps data, so it must name the browser origins allowed to call it: ` +
      `cdk deploy -c stage=${stage.name} -c allowedOrigins=https://app.example.com`,
  );
}
