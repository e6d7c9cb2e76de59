/**
 * The local SNS, driven by the real @aws-sdk/client-sns: it answers what SNS answers (results,
 * refusals and their exception names), fans a topic out to its enabled endpoints, and keeps
 * endpoints and subscriptions across a restart.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  CreatePlatformEndpointCommand,
  CreateTopicCommand,
  DeleteEndpointCommand,
  GetEndpointAttributesCommand,
  PublishCommand,
  SetEndpointAttributesCommand,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../local/emulators/local-credentials.js';
import { startSns, type LocalSns, type SnsDelivery } from '../../local/emulators/sns/start-sns.js';

let dir: string;
let sns: LocalSns;
let client: SNSClient;
let deliveries: SnsDelivery[];

async function start(): Promise<void> {
  deliveries = [];
  sns = await startSns({ dataDir: dir, platforms: ['fcm', 'apns'], topics: ['posts'], onDelivery: (delivery) => deliveries.push(delivery) });
  client = new SNSClient({ endpoint: sns.endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lambase-sns-'));
  await start();
});
afterEach(async () => {
  client.destroy();
  await sns.stop();
  await rm(dir, { recursive: true, force: true });
});

const fcm = () => sns.applicationArns.fcm!;
const endpoint = async (token = 'token-1', userData?: string) =>
  (await client.send(new CreatePlatformEndpointCommand({ PlatformApplicationArn: fcm(), Token: token, CustomUserData: userData }))).EndpointArn!;
const json = (values: Record<string, unknown>) => JSON.stringify(Object.fromEntries(Object.entries(values).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)])));
const gcm = { default: 'Hi', GCM: { fcmV1Message: { message: { notification: { title: 'T', body: 'B' }, data: { k: 'v' } } } } };

describe('endpoints', () => {
  it('returns the same endpoint for the same token and attributes, and names it when the attributes differ', async () => {
    const arn = await endpoint('t', 'a');
    expect(arn).toMatch(/^arn:aws:sns:us-east-1:000000000000:endpoint\/GCM\/lambase-local-fcm\/[0-9a-f-]{36}$/);
    expect(await endpoint('t', 'a')).toBe(arn);
    await expect(endpoint('t', 'b')).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: `Invalid parameter: Token Reason: Endpoint ${arn} already exists with the same Token, but different attributes.`,
    });
  });

  it('reads and sets attributes, refuses unknown ones, and says NotFound for a missing endpoint', async () => {
    const arn = await endpoint();
    await client.send(new SetEndpointAttributesCommand({ EndpointArn: arn, Attributes: { Enabled: 'false', CustomUserData: 'x' } }));
    expect((await client.send(new GetEndpointAttributesCommand({ EndpointArn: arn }))).Attributes).toEqual({ Token: 'token-1', Enabled: 'false', CustomUserData: 'x' });
    await expect(client.send(new SetEndpointAttributesCommand({ EndpointArn: arn, Attributes: { Colour: 'blue' } }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await client.send(new DeleteEndpointCommand({ EndpointArn: arn }));
    await client.send(new DeleteEndpointCommand({ EndpointArn: arn }));
    await expect(client.send(new GetEndpointAttributesCommand({ EndpointArn: arn }))).rejects.toMatchObject({ name: 'NotFoundException' });
  });

  it('refuses an APNs token that is not hex, and an application that does not exist', async () => {
    await expect(client.send(new CreatePlatformEndpointCommand({ PlatformApplicationArn: sns.applicationArns.apns!, Token: 'not hex' }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(client.send(new CreatePlatformEndpointCommand({ PlatformApplicationArn: `${fcm()}-nope`, Token: 't' }))).rejects.toMatchObject({ name: 'NotFoundException' });
  });
});

describe('publishing', () => {
  it('delivers the endpoint\'s platform payload, and refuses what SNS refuses', async () => {
    const arn = await endpoint('t', '{"userId":"u1"}');
    await client.send(new PublishCommand({ TargetArn: arn, MessageStructure: 'json', Message: json(gcm) }));
    expect(deliveries).toEqual([{ endpoint: expect.objectContaining({ arn, customUserData: '{"userId":"u1"}' }), platform: 'fcm', title: 'T', body: 'B', data: { k: 'v' }, payload: gcm.GCM }]);

    const refusals = [
      new PublishCommand({ TargetArn: arn, MessageStructure: 'json', Message: json({ GCM: gcm.GCM }) }),
      new PublishCommand({ TargetArn: arn, MessageStructure: 'json', Message: 'not json' }),
      new PublishCommand({ TargetArn: arn, MessageStructure: 'json', Message: json({ default: 'x', GCM: { fcmV1Message: { message: { data: { n: 1 } } } } }) }),
      new PublishCommand({ TargetArn: arn, Message: 'x'.repeat(256 * 1024 + 1) }),
      new PublishCommand({ TargetArn: arn, TopicArn: sns.topicArns.posts!, Message: 'both' }),
    ];
    for (const command of refusals) await expect(client.send(command)).rejects.toMatchObject({ name: 'InvalidParameterException' });
    expect(deliveries).toHaveLength(1);
  });

  it('says EndpointDisabled for a disabled endpoint and "No endpoint found" for a deleted one', async () => {
    const arn = await endpoint();
    await client.send(new SetEndpointAttributesCommand({ EndpointArn: arn, Attributes: { Enabled: 'false' } }));
    await expect(client.send(new PublishCommand({ TargetArn: arn, Message: 'x' }))).rejects.toMatchObject({ name: 'EndpointDisabledException' });
    await client.send(new DeleteEndpointCommand({ EndpointArn: arn }));
    await expect(client.send(new PublishCommand({ TargetArn: arn, Message: 'x' }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: expect.stringContaining('No endpoint found for the target arn specified'),
    });
  });

  it('fans a topic out to its enabled endpoints, once each, naming the topic', async () => {
    const topicArn = sns.topicArns.posts!;
    const [on, off] = [await endpoint('on'), await endpoint('off')];
    const first = (await client.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'application', Endpoint: on, ReturnSubscriptionArn: true }))).SubscriptionArn!;
    expect((await client.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'application', Endpoint: on, ReturnSubscriptionArn: true }))).SubscriptionArn).toBe(first);
    await client.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'application', Endpoint: off }));
    await client.send(new SetEndpointAttributesCommand({ EndpointArn: off, Attributes: { Enabled: 'false' } }));

    await client.send(new PublishCommand({ TopicArn: topicArn, MessageStructure: 'json', Message: json(gcm) }));
    expect(deliveries.map((delivery) => [delivery.endpoint.arn, delivery.topic])).toEqual([[on, 'posts']]);

    await client.send(new UnsubscribeCommand({ SubscriptionArn: first }));
    await expect(client.send(new UnsubscribeCommand({ SubscriptionArn: first }))).rejects.toMatchObject({ name: 'NotFoundException' });
    await expect(client.send(new SubscribeCommand({ TopicArn: `${topicArn}-nope`, Protocol: 'application', Endpoint: on }))).rejects.toMatchObject({ name: 'NotFoundException' });
  });

  it('answers an action Lambase does not send as SNS answers an unknown action', async () => {
    await expect(client.send(new CreateTopicCommand({ Name: 'other' }))).rejects.toMatchObject({ name: 'InvalidAction' });
  });
});

it('keeps endpoints and subscriptions across a restart, with the same application and topic ARNs', async () => {
  const arn = await endpoint('kept');
  await client.send(new SubscribeCommand({ TopicArn: sns.topicArns.posts!, Protocol: 'application', Endpoint: arn }));
  const before = { applications: sns.applicationArns, topics: sns.topicArns, state: sns.snapshot() };
  client.destroy();
  await sns.stop();
  await start();
  expect({ applications: sns.applicationArns, topics: sns.topicArns, state: sns.snapshot() }).toEqual(before);
  expect(await endpoint('kept')).toBe(arn);
});
