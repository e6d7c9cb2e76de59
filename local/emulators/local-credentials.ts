/**
 * The one key pair of local mode: every SDK client, function and presigned URL signs with it.
 * s3rver accepts no other key (and the S3 front checks signatures made with it); DynamoDB Local and
 * the local Cognito accept any, so one pair serves them all.
 */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
