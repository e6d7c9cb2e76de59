/**
 * Storage: the private bucket browsers upload to with presigned POSTs. Public access blocked,
 * TLS enforced, encrypted, CORS for the API's origins, incomplete multipart uploads cleaned up,
 * server access logs kept in a second bucket, object-created events for the storage trigger.
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Effect, PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  CfnBucket,
  EventType,
  HttpMethods,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { Construct, type IConstruct } from 'constructs';
import type { Stage } from '../stage.js';
import { STORAGE_CORS } from './storage-settings.js';

export type StorageConstructProps = {
  stage: Stage;
  /** Origins allowed to POST uploads from a browser. */
  allowedOrigins: readonly string[];
};

export class StorageConstruct extends Construct {
  readonly bucket: Bucket;
  /** Server access logs; kept stages only. */
  readonly accessLogsBucket: Bucket | undefined;

  constructor(scope: Construct, id: string, props: StorageConstructProps) {
    super(scope, id);
    const disposable = props.stage.isDevelopment;
    // Access logs arrive minutes late, so a development stage's log bucket could never be emptied
    // for `cdk destroy`; kept stages log.
    this.accessLogsBucket = disposable ? undefined : new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: props.stage.removalPolicy,
    });
    this.bucket = new Bucket(this, 'Files', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: false,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: this.accessLogsBucket ? 'files/' : undefined,
      cors: [
        {
          allowedMethods: STORAGE_CORS.allowedMethods.map((method) => HttpMethods[method]),
          allowedOrigins: [...props.allowedOrigins],
          allowedHeaders: [...STORAGE_CORS.allowedHeaders],
          exposedHeaders: [...STORAGE_CORS.exposedHeaders],
          maxAge: STORAGE_CORS.maxAgeSeconds,
        },
      ],
      lifecycleRules: [{ abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      removalPolicy: props.stage.removalPolicy,
      autoDeleteObjects: disposable,
    });
    if (this.accessLogsBucket) {
      Validations.of(this.accessLogsBucket).acknowledge({ id: 'AwsSolutions-S1', reason: 'This is the access-log bucket itself.' });
    } else {
      Validations.of(this.bucket).acknowledge({
        id: 'AwsSolutions-S1',
        reason: 'Development stage: access logs arrive late and would block cdk destroy; kept stages log.',
      });
    }
  }

  /** Object-level access for `grantee`, limited to keys under `prefix`. */
  grant(grantee: IGrantable, access: 'read' | 'write' | 'delete', prefix: string): void {
    const actions = { read: ['s3:GetObject'], write: ['s3:PutObject'], delete: ['s3:DeleteObject'] }[access];
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ effect: Effect.ALLOW, actions, resources: [this.bucket.arnForObjects(`${prefix}*`)] }),
    );
    Validations.of(grantee.grantPrincipal as unknown as IConstruct).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnBucket)}.Arn>/${prefix}*]`,
      reason: `Object keys are generated per user and file under "${prefix}"; the function may touch that prefix only.`,
    });
  }

  /** Sends object-created events for keys under `prefix` to `fn`. */
  onObjectCreated(fn: IFunction, prefix: string): void {
    this.bucket.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(fn), { prefix });
    // CDK configures notifications through its own singleton function.
    const handler = Stack.of(this).node.tryFindChild('BucketNotificationsHandler050a0587b7544547bf325f094a3db834');
    if (handler) {
      Validations.of(handler).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'Role of CDK\'s bucket-notifications custom resource (library code): logging permissions only.',
      });
    }
  }
}
