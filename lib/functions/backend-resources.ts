/**
 * The stack's shared resources as one object, so a function can be created from its settings
 * alone: the right environment and exactly the grants its route table entry names.
 */
import type { Construct } from 'constructs';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IDestination } from 'aws-cdk-lib/aws-lambda';
import type { AuthConstruct } from '../auth/auth-construct.js';
import type { DataConstruct } from '../data/data-construct.js';
import type { PushConstruct } from '../push/push-construct.js';
import type { RealtimeConstruct } from '../realtime/realtime-construct.js';
import type { StorageConstruct } from '../storage/storage-construct.js';
import type { FunctionSettings, Grant, ResourceNames } from '../route-types.js';
import { functionEnvironment, functionId } from '../routes.js';
import type { Operation } from '../../functions/contract/operation.js';
import type { Stage } from '../stage.js';
import { LambaseFunction } from './lambase-function.js';

export class BackendResources {
  /** The user functions created so far, by lambase.config.ts name (the dispatcher invokes them). */
  private readonly userFunctions = new Map<string, LambaseFunction>();

  constructor(
    readonly stage: Stage,
    readonly auth: AuthConstruct,
    readonly data: DataConstruct,
    readonly storage: StorageConstruct,
    readonly push: PushConstruct,
    readonly realtime: RealtimeConstruct,
  ) {}

  get names(): ResourceNames {
    return {
      stage: this.stage.name,
      tableName: this.data.table.tableName,
      bucketName: this.storage.bucket.bucketName,
      userPoolId: this.auth.userPool.userPoolId,
      userPoolClientId: this.auth.userPoolClient.userPoolClientId,
      pushApplications: this.push.applicationArnsByDevicePlatform,
      pushTopics: this.push.topicArns,
      functionNames: Object.fromEntries([...this.userFunctions].map(([name, fn]) => [name, fn.functionName])),
      realtimeEndpoint: this.realtime.endpoint,
    };
  }

  /** Records a user function under its lambase.config.ts name, for the functions granted to invoke it. */
  registerUserFunction(name: string, fn: LambaseFunction): void {
    this.userFunctions.set(name, fn);
  }

  /** Creates the function for `settings`, with its environment and exactly its grants. */
  createFunction(
    scope: Construct,
    settings: FunctionSettings & { operation?: Operation },
    options: { onFailure?: IDestination } = {},
  ): LambaseFunction {
    const fn = new LambaseFunction(scope, settings.id ?? functionId(settings.handler), {
      settings,
      stage: this.stage,
      environment: functionEnvironment(settings, this.names),
      onFailure: options.onFailure,
    });
    for (const grant of settings.grants) this.grant(fn, grant);
    return fn;
  }

  private grant(fn: LambaseFunction, grant: Grant): void {
    switch (grant.kind) {
      case 'table':
        return this.data.grant(fn, grant.access);
      case 'cursorKey':
        return this.data.grantCursorKey(fn);
      case 'bucket':
        return this.storage.grant(fn, grant.access, grant.prefix);
      case 'userPool':
        return this.auth.grantActions(fn, grant.actions);
      case 'userPoolClient':
        return; // the pool's public API needs no IAM permission
      case 'push':
        return this.push.grantActions(fn, grant.actions);
      case 'eventReceipts':
        return this.data.grantEventReceipts(fn, grant.function);
      case 'invoke':
        for (const name of grant.functions) {
          const target = this.userFunctions.get(name);
          if (!target) throw new Error(`${fn.node.id} may invoke ${name}, which is not created yet: create user functions first.`);
          // The unqualified ARN only: the dispatcher invokes $LATEST, never a version or alias
          // (grantInvoke would add `<arn>:*`).
          fn.addToRolePolicy(new PolicyStatement({ effect: Effect.ALLOW, actions: ['lambda:InvokeFunction'], resources: [target.functionArn] }));
        }
        return;
      case 'realtimeConnections':
        return this.realtime.grantPostToConnections(fn);
    }
  }
}
