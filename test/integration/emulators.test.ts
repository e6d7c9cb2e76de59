import { describe, expect, it } from 'vitest';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeUserPoolCommand, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '../../functions/adapters/aws-clients.js';
import { FIXED_INDEXES } from '../../functions/core/table-design.js';

describe('the emulator harness', () => {
  it('provisions the table as the CDK does: keys, stream, indexes', async () => {
    const client = new DynamoDBClient({});
    const { Table } = await client.send(new DescribeTableCommand({ TableName: process.env.LAMBASE_TABLE_NAME }));
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    const indexNames = Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName);
    expect(indexNames).toEqual(expect.arrayContaining([...Object.keys(FIXED_INDEXES), 'ix1']));
  });

  it('reaches the bucket and the user pool through the production client factories', async () => {
    await expect(createS3Client().send(new HeadBucketCommand({ Bucket: process.env.LAMBASE_BUCKET_NAME }))).resolves.toBeDefined();
    const pool = await new CognitoIdentityProviderClient({}).send(new DescribeUserPoolCommand({ UserPoolId: process.env.LAMBASE_USER_POOL_ID }));
    expect(pool.UserPool?.UsernameAttributes).toEqual(['email']);
  });
});
