/**
 * Data: the one DynamoDB table every feature shares (single-table design, ARCHITECTURE.md).
 * On-demand, point-in-time recovery, a NEW_AND_OLD_IMAGES stream for triggers, TTL, and kept
 * (RETAIN + deletion protection) outside development stages.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, CfnTable, ProjectionType, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct, type IConstruct } from 'constructs';
import { eventReceiptPrefix, TABLE_KEY, TTL_ATTRIBUTE, tableIndexes } from '../../functions/core/table-design.js';
import type { Stage } from '../stage.js';

export type DataConstructProps = { stage: Stage };

const READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'];
const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

export class DataConstruct extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: DataConstructProps) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: TABLE_KEY.partition, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEY.sort, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      stream: StreamViewType.NEW_AND_OLD_IMAGES,
      timeToLiveAttribute: TTL_ATTRIBUTE,
      deletionProtection: !props.stage.isDevelopment,
      removalPolicy: props.stage.removalPolicy,
    });
    for (const index of tableIndexes()) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partition, type: AttributeType.STRING },
        sortKey: { name: index.sort, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      });
    }
  }

  /** Read, and create once, the cursor-signing key item (partition `#META`) and no other item. */
  grantCursorKey(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        resources: [this.table.tableArn],
        conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['#META'] } },
      }),
    );
  }

  /**
   * A user function's event receipts (functions/sdk/define-function.ts: each event runs once): the
   * items whose partition key starts `EVENT#<function>#`, and no other item.
   */
  grantEventReceipts(grantee: IGrantable, functionName: string): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        resources: [this.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${eventReceiptPrefix(functionName)}#*`] } },
      }),
    );
  }

  /**
   * Least-privilege table access: reads never include Scan (no request path scans), writes are
   * item-level only. Covers the table and its indexes.
   */
  grant(grantee: IGrantable, access: 'read' | 'write' | 'readWrite'): void {
    const actions = [...(access === 'write' ? [] : READ_ACTIONS), ...(access === 'read' ? [] : WRITE_ACTIONS)];
    const tableArn = this.table.tableArn;
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions,
        resources: access === 'write' ? [tableArn] : [tableArn, `${tableArn}/index/*`],
      }),
    );
    if (access !== 'write') {
      Validations.of(grantee.grantPrincipal as unknown as IConstruct).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.table.node.defaultChild as CfnTable)}.Arn>/index/*]`,
        reason: 'Queries read this table\'s own GSIs only; the wildcard covers index names, not other tables.',
      });
    }
  }
}
