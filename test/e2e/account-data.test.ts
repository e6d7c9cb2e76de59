/**
 * GET /me/export lists everything the user owns, and DELETE /me erases it — documents, file
 * records and objects — then the user, leaving nothing behind in the table or the bucket.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { api, createUser, startTestBackend, uploadFile, type TestBackend } from '../fixtures/local-backend.js';

let local: TestBackend;
beforeAll(async () => {
  local = await startTestBackend();
});
afterAll(() => local?.cleanup());

it('exports, then erases, everything a user owns', async () => {
  const user = await createUser(local);
  const other = await createUser(local);
  const note = (await api<{ id: string }>(local.url, 'POST', '/data/notes', { as: user, body: { title: 'mine' } })).body;
  const post = (await api<{ id: string }>(local.url, 'POST', '/data/posts', { as: user, body: { title: 'public', published: true } })).body;
  const othersNote = (await api<{ id: string }>(local.url, 'POST', '/data/notes', { as: other, body: { title: 'theirs' } })).body;
  const file = await uploadFile(local, user, new TextEncoder().encode('bytes'));

  const exported = await api<{ profile: { userId: string }; documents: { id: string; collection: string }[]; files: { fileId: string }[]; devices: unknown[] }>(
    local.url, 'GET', '/me/export', { as: user },
  );
  expect(exported.status).toBe(200);
  expect(exported.body.profile.userId).toBe(user.userId);
  expect(exported.body.documents.map((document) => [document.collection, document.id]).sort()).toEqual(
    [['notes', note.id], ['posts', post.id]].sort(),
  );
  expect(exported.body.files.map((entry) => entry.fileId)).toEqual([file.fileId]);
  expect(exported.body.devices).toEqual([]);

  expect((await api(local.url, 'DELETE', '/me', { as: user })).status).toBe(204);

  const table = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: local.endpoints.dynamodb, region: local.region, credentials: local.credentials }));
  for (const ownerKey of [`notes#${user.userId}`, `posts#${user.userId}`, `_files#${user.userId}`]) {
    const { Items } = await table.send(new QueryCommand({ TableName: local.tableName, IndexName: 'byOwnerCreated', KeyConditionExpression: 'ownerKey = :k', ExpressionAttributeValues: { ':k': ownerKey } }));
    expect(Items, ownerKey).toEqual([]);
  }
  const s3 = new S3Client({ endpoint: local.endpoints.s3, region: local.region, forcePathStyle: true, credentials: local.credentials });
  await expect(s3.send(new GetObjectCommand({ Bucket: local.bucketName, Key: `files/${user.userId}/${file.fileId}` }))).rejects.toMatchObject({ name: 'NoSuchKey' });
  expect((await api(local.url, 'GET', `/data/notes/${othersNote.id}`, { as: other })).status).toBe(200);
  expect((await api(local.url, 'POST', '/auth/sign-in', { body: { email: user.email, password: user.password } })).status).toBe(401);
});
