/**
 * The stack's shared resources as one object, so a function can be created from its settings
 * alone: the right environment and exactly the grants its route table entry names.
 */
import type { Construct } from 'constructs';
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
      realtimeEndpoint: this.realtime.endpoint,
    };
  }

  /** Creates the function for `settings`, with its environment and exactly its grants. */
  createFunction(
    scope: Construct,
    settings: FunctionSettings & { operation?: Operation },
    options: { onFailure?: IDestination } = {},
  ): LambaseFunction {
    const fn = new LambaseFunction(scope, functionId(settings.handler), {
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
      case 'realtimeConnections':
        return this.realtime.grantPostToConnections(fn);
    }
  }
}
