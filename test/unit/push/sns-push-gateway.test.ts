/**
 * The SNS adapter against the exact commands and payloads it sends (aws-sdk-client-mock): AWS's
 * documented endpoint-registration pattern, topic subscriptions, and Publish with each platform's
 * payload. (Local mode runs the same adapter against the local SNS; see test/integration/push.)
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CreatePlatformEndpointCommand,
  DeleteEndpointCommand,
  EndpointDisabledException,
  GetEndpointAttributesCommand,
  InvalidParameterException,
  NotFoundException,
  PublishCommand,
  SetEndpointAttributesCommand,
  SNSClient,
  SubscribeCommand,
  ThrottledException,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { SnsPushGateway, snsMessage } from '../../../functions/adapters/sns-push-gateway.js';
import { TooManyRequestsError } from '../../../functions/core/errors.js';

const sns = mockClient(SNSClient);
const FCM_APP = 'arn:aws:sns:eu-west-1:123456789012:app/GCM/lambase-dev-fcm';
const APNS_APP = 'arn:aws:sns:eu-west-1:123456789012:app/APNS/lambase-dev-apns';
const ENDPOINT = 'arn:aws:sns:eu-west-1:123456789012:endpoint/GCM/lambase-dev-fcm/11111111-2222-3333-4444-555555555555';
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:Lambase-dev-PushTopicposts';
const gateway = new SnsPushGateway(new SNSClient({ region: 'eu-west-1' }), { applications: { fcm: FCM_APP, apns: APNS_APP }, topics: { posts: TOPIC } });
const USER_DATA = '{"userId":"u1","deviceId":"d1"}';
const message = { title: 'New post', body: 'Read it', data: { postId: 'p1', count: 3, tags: ['a'] } };

const sdkError = <T>(Type: new (options: { message: string; $metadata: object }) => T, text: string) => new Type({ message: text, $metadata: {} });

beforeEach(() => {
  sns.reset();
  sns.on(SetEndpointAttributesCommand).resolves({});
});

describe('registering an endpoint', () => {
  it('creates it, reads it back, and leaves an enabled, up-to-date endpoint alone', async () => {
    sns.on(CreatePlatformEndpointCommand).resolves({ EndpointArn: ENDPOINT });
    sns.on(GetEndpointAttributesCommand).resolves({ Attributes: { Token: 'tok', Enabled: 'true', CustomUserData: USER_DATA } });
    expect(await gateway.ensureEndpoint({ platform: 'fcm', token: 'tok', userData: USER_DATA })).toBe(ENDPOINT);
    expect(sns.commandCalls(CreatePlatformEndpointCommand)[0]!.args[0].input).toEqual({ PlatformApplicationArn: FCM_APP, Token: 'tok', CustomUserData: USER_DATA });
    expect(sns.commandCalls(GetEndpointAttributesCommand)[0]!.args[0].input).toEqual({ EndpointArn: ENDPOINT });
    expect(sns.commandCalls(SetEndpointAttributesCommand)).toHaveLength(0);
  });

  it('re-enables a disabled endpoint with Enabled=true and the token', async () => {
    sns.on(CreatePlatformEndpointCommand).resolves({ EndpointArn: ENDPOINT });
    sns.on(GetEndpointAttributesCommand).resolves({ Attributes: { Token: 'tok', Enabled: 'false', CustomUserData: USER_DATA } });
    await gateway.ensureEndpoint({ platform: 'fcm', token: 'tok', userData: USER_DATA });
    expect(sns.commandCalls(SetEndpointAttributesCommand)[0]!.args[0].input).toEqual({
      EndpointArn: ENDPOINT,
      Attributes: { Token: 'tok', Enabled: 'true', CustomUserData: USER_DATA },
    });
  });

  it('takes over the endpoint SNS names when the token exists with other attributes (another owner)', async () => {
    sns.on(CreatePlatformEndpointCommand).rejects(
      sdkError(InvalidParameterException, `Invalid parameter: Token Reason: Endpoint ${ENDPOINT} already exists with the same Token, but different attributes.`),
    );
    sns.on(GetEndpointAttributesCommand).resolves({ Attributes: { Token: 'tok', Enabled: 'true', CustomUserData: '{"userId":"u0","deviceId":"d1"}' } });
    expect(await gateway.ensureEndpoint({ platform: 'fcm', token: 'tok', userData: USER_DATA })).toBe(ENDPOINT);
    expect(sns.commandCalls(SetEndpointAttributesCommand)[0]!.args[0].input.Attributes).toEqual({ Token: 'tok', Enabled: 'true', CustomUserData: USER_DATA });
  });

  it('creates it again when it was deleted between the two calls', async () => {
    const recreated = `${ENDPOINT}-2`;
    sns.on(CreatePlatformEndpointCommand).resolvesOnce({ EndpointArn: ENDPOINT }).resolves({ EndpointArn: recreated });
    sns.on(GetEndpointAttributesCommand, { EndpointArn: ENDPOINT }).rejects(sdkError(NotFoundException, 'Endpoint does not exist'));
    sns.on(GetEndpointAttributesCommand, { EndpointArn: recreated }).resolves({ Attributes: { Token: 'tok', Enabled: 'true', CustomUserData: USER_DATA } });
    expect(await gateway.ensureEndpoint({ platform: 'fcm', token: 'tok', userData: USER_DATA })).toBe(recreated);
    expect(sns.commandCalls(CreatePlatformEndpointCommand)).toHaveLength(2);
  });

  it('compares APNs tokens without case (SNS answers them in lower case)', async () => {
    sns.on(CreatePlatformEndpointCommand).resolves({ EndpointArn: ENDPOINT });
    sns.on(GetEndpointAttributesCommand).resolves({ Attributes: { Token: 'abcd01', Enabled: 'true', CustomUserData: USER_DATA } });
    await gateway.ensureEndpoint({ platform: 'apns', token: 'ABCD01', userData: USER_DATA });
    expect(sns.commandCalls(CreatePlatformEndpointCommand)[0]!.args[0].input.PlatformApplicationArn).toBe(APNS_APP);
    expect(sns.commandCalls(SetEndpointAttributesCommand)).toHaveLength(0);
  });

  it('passes any other refusal on', async () => {
    sns.on(CreatePlatformEndpointCommand).rejects(sdkError(InvalidParameterException, 'Invalid parameter: Token'));
    await expect(gateway.ensureEndpoint({ platform: 'fcm', token: 'tok', userData: USER_DATA })).rejects.toThrow('Invalid parameter: Token');
  });
});

describe('topics and cleanup', () => {
  it('subscribes an endpoint to the topic with the application protocol', async () => {
    sns.on(SubscribeCommand).resolves({ SubscriptionArn: `${TOPIC}:sub-1` });
    expect(await gateway.subscribe('posts', ENDPOINT)).toBe(`${TOPIC}:sub-1`);
    expect(sns.commandCalls(SubscribeCommand)[0]!.args[0].input).toEqual({ TopicArn: TOPIC, Protocol: 'application', Endpoint: ENDPOINT, ReturnSubscriptionArn: true });
  });

  it('treats an unsubscribe or an endpoint deletion of something already gone as done', async () => {
    sns.on(UnsubscribeCommand).rejects(sdkError(NotFoundException, 'Subscription does not exist'));
    sns.on(DeleteEndpointCommand).rejects(sdkError(NotFoundException, 'Endpoint does not exist'));
    await gateway.unsubscribe(`${TOPIC}:sub-1`);
    await gateway.deleteEndpoint(ENDPOINT);
    expect(sns.commandCalls(UnsubscribeCommand)[0]!.args[0].input).toEqual({ SubscriptionArn: `${TOPIC}:sub-1` });
    expect(sns.commandCalls(DeleteEndpointCommand)[0]!.args[0].input).toEqual({ EndpointArn: ENDPOINT });
  });

  it('turns SNS throttling into 429 TooManyRequests', async () => {
    sns.on(SubscribeCommand).rejects(sdkError(ThrottledException, 'Rate exceeded'));
    await expect(gateway.subscribe('posts', ENDPOINT)).rejects.toBeInstanceOf(TooManyRequestsError);
  });
});

describe('publishing', () => {
  it('sends one MessageStructure json message with each platform\'s payload as a JSON string', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm1' });
    expect(await gateway.publishToEndpoint(ENDPOINT, message)).toBe('sent');
    const input = sns.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ TargetArn: ENDPOINT, MessageStructure: 'json' });
    const sent = JSON.parse(input.Message!) as Record<string, string>;
    expect(Object.keys(sent).sort()).toEqual(['APNS', 'APNS_SANDBOX', 'GCM', 'default']);
    expect(sent.default).toBe('New post\nRead it');
    const apns = { aps: { alert: { title: 'New post', body: 'Read it' } }, postId: 'p1', count: 3, tags: ['a'] };
    expect(JSON.parse(sent.APNS!)).toEqual(apns);
    expect(JSON.parse(sent.APNS_SANDBOX!)).toEqual(apns);
    expect(JSON.parse(sent.GCM!)).toEqual({
      fcmV1Message: { message: { notification: { title: 'New post', body: 'Read it' }, data: { postId: 'p1', count: '3', tags: '["a"]' } } },
    });
  });

  it('publishes a topic send once, to the topic', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm1' });
    await gateway.publishToTopic('posts', message);
    expect(sns.commandCalls(PublishCommand)[0]!.args[0].input).toEqual({ TopicArn: TOPIC, Message: snsMessage(message), MessageStructure: 'json' });
  });

  it.each([
    ['disabled', sdkError(EndpointDisabledException, 'Endpoint is disabled')],
    ['deleted', sdkError(InvalidParameterException, 'Invalid parameter: TargetArn Reason: No endpoint found for the target arn specified')],
    ['not found', sdkError(NotFoundException, 'Endpoint does not exist')],
  ])('reports an endpoint SNS says is %s as gone', async (_what, error) => {
    sns.on(PublishCommand).rejects(error);
    expect(await gateway.publishToEndpoint(ENDPOINT, message)).toBe('gone');
  });

  it('throws any other failure (the send counts the device as not reached)', async () => {
    sns.on(PublishCommand).rejects(sdkError(ThrottledException, 'Rate exceeded'));
    await expect(gateway.publishToEndpoint(ENDPOINT, message)).rejects.toBeInstanceOf(TooManyRequestsError);
  });
});
