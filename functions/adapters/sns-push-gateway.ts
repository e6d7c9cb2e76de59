/**
 * `PushGateway` on SNS mobile push: one platform endpoint per device token, topics for the
 * config's topics, and Publish with `MessageStructure: json` carrying each platform's payload.
 *
 * Endpoints follow AWS's documented registration pattern: CreatePlatformEndpoint (which returns
 * the existing endpoint for a known token, or refuses with "already exists with the same Token,
 * but different attributes" and names it); GetEndpointAttributes (NotFound: it was deleted since,
 * so create again); SetEndpointAttributes when it is disabled or its token or user data differ.
 */
import {
  CreatePlatformEndpointCommand,
  GetEndpointAttributesCommand,
  PublishCommand,
  SetEndpointAttributesCommand,
  SubscribeCommand,
  type SNSClient,
} from '@aws-sdk/client-sns';
import { apnsPayload, fcmMessage, type PushMessage } from '../core/push/push-payloads.js';
import type { DevicePlatform } from '../core/push/push-platforms.js';
import type { EndpointDelivery, PushGateway } from '../core/push/push-ports.js';
import { nameOf, rethrowSnsError, SnsEndpointRemoval } from './sns-endpoint-removal.js';

/** The ARNs the functions get from the push construct (local mode: from the SNS emulator). */
export type SnsPushResources = {
  /** Platform application per API platform; absent or '' when it is not available. */
  applications: Partial<Record<DevicePlatform, string>>;
  /** SNS topic per Lambase topic. */
  topics: Record<string, string>;
};

/** The wording SNS (and AWS's own samples) use when a token already has an endpoint with other attributes. */
const EXISTING_ENDPOINT = /Endpoint (arn:[^ ]+) already exists with the same [Tt]oken/;
/** What SNS answers a Publish to an endpoint that was deleted. */
const NO_ENDPOINT = /No endpoint found for the target arn/i;

export class SnsPushGateway extends SnsEndpointRemoval implements PushGateway {
  constructor(
    sns: SNSClient,
    private readonly resources: SnsPushResources,
  ) {
    super(sns);
  }

  async ensureEndpoint(input: { platform: DevicePlatform; token: string; userData: string }): Promise<string> {
    const application = this.resources.applications[input.platform];
    // The use case checks the platform first: reaching this is a wiring fault, not a client's.
    if (!application) throw new Error(`No SNS platform application for ${input.platform} in this function's environment.`);
    let endpointArn = await this.createEndpoint(application, input.token, input.userData);
    let attributes = await this.endpointAttributes(endpointArn);
    if (!attributes) {
      // Deleted between the two calls (by another registration's cleanup): make it again.
      endpointArn = await this.createEndpoint(application, input.token, input.userData);
      attributes = (await this.endpointAttributes(endpointArn)) ?? {};
    }
    // SNS returns APNs tokens in lower case.
    const sameToken = input.platform === 'fcm' ? attributes.Token === input.token : attributes.Token?.toLowerCase() === input.token.toLowerCase();
    if (attributes.Enabled !== 'true' || !sameToken || attributes.CustomUserData !== input.userData) {
      await this.sns
        .send(new SetEndpointAttributesCommand({ EndpointArn: endpointArn, Attributes: { Token: input.token, Enabled: 'true', CustomUserData: input.userData } }))
        .catch(rethrowSnsError);
    }
    return endpointArn;
  }

  async subscribe(topic: string, endpointArn: string): Promise<string> {
    const { SubscriptionArn } = await this.sns
      .send(new SubscribeCommand({ TopicArn: this.topicArn(topic), Protocol: 'application', Endpoint: endpointArn, ReturnSubscriptionArn: true }))
      .catch(rethrowSnsError);
    return SubscriptionArn!;
  }

  async publishToEndpoint(endpointArn: string, message: PushMessage): Promise<EndpointDelivery> {
    try {
      await this.sns.send(new PublishCommand({ TargetArn: endpointArn, Message: snsMessage(message), MessageStructure: 'json' }));
      return 'sent';
    } catch (error) {
      if (isGone(error)) return 'gone';
      return rethrowSnsError(error);
    }
  }

  async publishToTopic(topic: string, message: PushMessage): Promise<void> {
    await this.sns.send(new PublishCommand({ TopicArn: this.topicArn(topic), Message: snsMessage(message), MessageStructure: 'json' })).catch(rethrowSnsError);
  }

  private async createEndpoint(application: string, token: string, userData: string): Promise<string> {
    try {
      const { EndpointArn } = await this.sns.send(new CreatePlatformEndpointCommand({ PlatformApplicationArn: application, Token: token, CustomUserData: userData }));
      return EndpointArn!;
    } catch (error) {
      const existing = nameOf(error) === 'InvalidParameterException' ? EXISTING_ENDPOINT.exec((error as Error).message)?.[1] : undefined;
      if (existing) return existing;
      return rethrowSnsError(error);
    }
  }

  private async endpointAttributes(endpointArn: string): Promise<Record<string, string> | undefined> {
    try {
      return (await this.sns.send(new GetEndpointAttributesCommand({ EndpointArn: endpointArn }))).Attributes ?? {};
    } catch (error) {
      if (nameOf(error) === 'NotFoundException') return undefined;
      return rethrowSnsError(error);
    }
  }

  private topicArn(topic: string): string {
    const arn = this.resources.topics[topic];
    if (!arn) throw new Error(`No SNS topic for "${topic}" in this function's environment.`);
    return arn;
  }
}

/**
 * The `Message` of a `MessageStructure: json` Publish: SNS hands each endpoint the value under its
 * platform's key (`default` for any other protocol), each platform's payload as a JSON string.
 */
export function snsMessage(message: PushMessage): string {
  const apns = JSON.stringify(apnsPayload(message));
  return JSON.stringify({
    default: [message.title, message.body].filter(Boolean).join('\n'),
    APNS: apns,
    APNS_SANDBOX: apns,
    GCM: JSON.stringify({ fcmV1Message: { message: fcmMessage(message) } }),
  });
}

/** Disabled (the push service refused the token) or deleted: the device is gone. */
function isGone(error: unknown): boolean {
  const name = nameOf(error);
  return name === 'EndpointDisabledException' || name === 'NotFoundException' || (name === 'InvalidParameterException' && NO_ENDPOINT.test((error as Error).message));
}
