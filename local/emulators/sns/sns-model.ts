/**
 * The local SNS's state and the actions Lambase sends, each answering what SNS answers: platform
 * applications and topics (made at start from the config), platform endpoints, `application`
 * subscriptions, and Publish to an endpoint or a topic (fanned out to its enabled endpoints). Every
 * delivery goes to `onDelivery` (local mode: the outbox). Endpoints and subscriptions persist in a
 * JSON file, written whole to a temporary file and renamed, one write at a time.
 */
import { randomUUID } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { CONFIG_KEY, SNS_PLATFORM, type DevicePlatform, type SnsPlatform } from '../../../functions/core/push/push-platforms.js';
import { parseMessage, platformDelivery, type PlatformDelivery } from './push-delivery.js';
import { QueryParameters, snsError, type ResultFields } from './query-protocol.js';

export const LOCAL_ACCOUNT = '000000000000';

export type SnsEndpoint = { arn: string; applicationArn: string; token: string; enabled: boolean; customUserData?: string };
export type SnsSubscription = { arn: string; topicArn: string; endpointArn: string };
export type SnsSnapshot = { endpoints: SnsEndpoint[]; subscriptions: SnsSubscription[] };

/** One push SNS delivered: to which endpoint, through which topic, with what. */
export type SnsDelivery = PlatformDelivery & { endpoint: SnsEndpoint; platform: DevicePlatform; topic?: string };

type Application = { arn: string; platform: DevicePlatform; snsPlatform: SnsPlatform };

/** CustomUserData is at most 2 KB (SNS's limit). */
const MAX_USER_DATA_BYTES = 2048;
const ENDPOINT_ATTRIBUTES = new Set(['CustomUserData', 'Enabled', 'Token']);
/** APNs device tokens are hexadecimal; SNS refuses anything else for APNS applications. */
const APNS_TOKEN = /^(?:[0-9a-fA-F]{2}){1,200}$/;

export class SnsModel {
  private readonly applications = new Map<string, Application>();
  /** Topic ARN → the config's topic name. */
  private readonly topics = new Map<string, string>();
  private endpoints = new Map<string, SnsEndpoint>();
  private subscriptions = new Map<string, SnsSubscription>();
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: {
      region: string;
      /** Where endpoints and subscriptions are kept. */
      file: string;
      onDelivery: (delivery: SnsDelivery) => void;
    },
  ) {}

  arn(resource: string): string {
    return `arn:aws:sns:${this.options.region}:${LOCAL_ACCOUNT}:${resource}`;
  }

  /** A platform application, as the push construct makes in the cloud. */
  addApplication(platform: DevicePlatform, name: string): string {
    const snsPlatform = SNS_PLATFORM[CONFIG_KEY[platform]];
    const arn = this.arn(`app/${snsPlatform}/${name}`);
    this.applications.set(arn, { arn, platform, snsPlatform });
    return arn;
  }

  /** A topic named `name` in SNS, delivering as the config's `topic`. */
  addTopic(name: string, topic: string): string {
    const arn = this.arn(name);
    this.topics.set(arn, topic);
    return arn;
  }

  async load(): Promise<void> {
    const saved = await readFile(this.options.file, 'utf8').then((text) => JSON.parse(text) as SnsSnapshot, () => undefined);
    this.endpoints = new Map((saved?.endpoints ?? []).map((endpoint) => [endpoint.arn, endpoint]));
    this.subscriptions = new Map((saved?.subscriptions ?? []).map((subscription) => [subscription.arn, subscription]));
  }

  snapshot(): SnsSnapshot {
    return { endpoints: [...this.endpoints.values()].map((endpoint) => ({ ...endpoint })), subscriptions: [...this.subscriptions.values()].map((subscription) => ({ ...subscription })) };
  }

  /** Resolves when every change so far is on disk. */
  flushed(): Promise<void> {
    return this.writing;
  }

  /** Runs one action; its result fields, or `undefined` for an empty result. Throws `SnsError`. */
  run(action: string, params: QueryParameters): ResultFields | undefined {
    switch (action) {
      case 'CreatePlatformEndpoint':
        return { EndpointArn: this.createEndpoint(params) };
      case 'GetEndpointAttributes':
        return { Attributes: this.endpointAttributes(params.required('EndpointArn')) };
      case 'SetEndpointAttributes':
        return this.setEndpointAttributes(params.required('EndpointArn'), params.map('Attributes'));
      case 'DeleteEndpoint':
        // Idempotent in SNS; its subscriptions stay until unsubscribed, as in SNS.
        if (this.endpoints.delete(params.required('EndpointArn'))) this.save();
        return undefined;
      case 'Subscribe':
        return { SubscriptionArn: this.subscribe(params) };
      case 'Unsubscribe':
        if (!this.subscriptions.delete(params.required('SubscriptionArn'))) throw snsError.notFound('Subscription does not exist');
        this.save();
        return undefined;
      case 'Publish':
        return { MessageId: this.publish(params) };
      default:
        throw snsError.invalidAction(action);
    }
  }

  private createEndpoint(params: QueryParameters): string {
    const application = this.applications.get(params.required('PlatformApplicationArn'));
    if (!application) throw snsError.notFound('PlatformApplication does not exist');
    const token = params.required('Token');
    if (application.snsPlatform !== 'GCM' && !APNS_TOKEN.test(token)) {
      throw snsError.invalidParameter('Invalid parameter: Token Reason: iOS device tokens must be an even number of hexadecimal characters');
    }
    const customUserData = params.optional('CustomUserData');
    if (customUserData !== undefined && Buffer.byteLength(customUserData, 'utf8') > MAX_USER_DATA_BYTES) {
      throw snsError.invalidParameter('Invalid parameter: CustomUserData Reason: must be less than 2KB');
    }
    const attributes: Record<string, string> = { ...params.map('Attributes'), ...(customUserData === undefined ? {} : { CustomUserData: customUserData }) };
    const existing = [...this.endpoints.values()].find((endpoint) => endpoint.applicationArn === application.arn && endpoint.token === token);
    if (existing) {
      // The same token and attributes: the same endpoint. Other attributes: refused, naming it.
      const current = attributesOf(existing);
      if (Object.entries(attributes).some(([key, value]) => current[key] !== value)) {
        throw snsError.invalidParameter(`Invalid parameter: Token Reason: Endpoint ${existing.arn} already exists with the same Token, but different attributes.`);
      }
      return existing.arn;
    }
    const endpoint: SnsEndpoint = {
      arn: this.arn(`endpoint/${application.arn.split(':app/')[1]}/${randomUUID()}`),
      applicationArn: application.arn,
      token,
      enabled: attributes.Enabled !== 'false',
      ...(customUserData === undefined ? {} : { customUserData }),
    };
    this.endpoints.set(endpoint.arn, endpoint);
    this.save();
    return endpoint.arn;
  }

  private endpointAttributes(arn: string): Record<string, string> {
    const endpoint = this.endpoints.get(arn);
    if (!endpoint) throw snsError.notFound('Endpoint does not exist');
    const attributes = attributesOf(endpoint);
    // SNS answers APNs tokens in lower case.
    if (this.applications.get(endpoint.applicationArn)?.snsPlatform !== 'GCM') attributes.Token = endpoint.token.toLowerCase();
    return attributes;
  }

  private setEndpointAttributes(arn: string, attributes: Record<string, string>): undefined {
    const endpoint = this.endpoints.get(arn);
    if (!endpoint) throw snsError.notFound('Endpoint does not exist');
    for (const [key, value] of Object.entries(attributes)) {
      if (!ENDPOINT_ATTRIBUTES.has(key)) throw snsError.invalidParameter(`Invalid parameter: Attributes Reason: Invalid attribute name: ${key}`);
      if (key === 'Enabled' && value !== 'true' && value !== 'false') throw snsError.invalidParameter('Invalid parameter: Attributes Reason: Enabled must be true or false');
    }
    if (attributes.Token !== undefined) endpoint.token = attributes.Token;
    if (attributes.Enabled !== undefined) endpoint.enabled = attributes.Enabled === 'true';
    if (attributes.CustomUserData !== undefined) endpoint.customUserData = attributes.CustomUserData;
    this.save();
    return undefined;
  }

  private subscribe(params: QueryParameters): string {
    const topicArn = params.required('TopicArn');
    if (!this.topics.has(topicArn)) throw snsError.notFound('Topic does not exist');
    const protocol = params.required('Protocol');
    if (protocol !== 'application') throw snsError.invalidParameter(`Invalid parameter: Protocol Reason: local mode delivers to application endpoints only, not ${protocol}`);
    const endpointArn = params.required('Endpoint');
    if (!this.endpoints.has(endpointArn)) throw snsError.invalidParameter('Invalid parameter: Endpoint Reason: No endpoint found for the endpoint arn specified');
    const existing = [...this.subscriptions.values()].find((subscription) => subscription.topicArn === topicArn && subscription.endpointArn === endpointArn);
    if (existing) return existing.arn;
    const subscription = { arn: `${topicArn}:${randomUUID()}`, topicArn, endpointArn };
    this.subscriptions.set(subscription.arn, subscription);
    this.save();
    return subscription.arn;
  }

  private publish(params: QueryParameters): string {
    const targetArn = params.optional('TargetArn');
    const topicArn = params.optional('TopicArn');
    if ((targetArn === undefined) === (topicArn === undefined)) throw snsError.invalidParameter('Invalid parameter: TopicArn or TargetArn Reason: exactly one must be given');
    const values = parseMessage(params.required('Message'), params.optional('MessageStructure'));
    if (targetArn !== undefined) {
      const endpoint = this.endpoints.get(targetArn);
      if (!endpoint) throw snsError.invalidParameter('Invalid parameter: TargetArn Reason: No endpoint found for the target arn specified');
      if (!endpoint.enabled) throw snsError.endpointDisabled();
      this.options.onDelivery(this.delivery(endpoint, values));
    } else {
      const topic = this.topics.get(topicArn!);
      if (topic === undefined) throw snsError.notFound('Topic does not exist');
      // Every payload is checked before any is delivered, as SNS validates the message first.
      const deliveries = [...this.subscriptions.values()]
        .filter((subscription) => subscription.topicArn === topicArn)
        .map((subscription) => this.endpoints.get(subscription.endpointArn))
        .filter((endpoint): endpoint is SnsEndpoint => endpoint !== undefined && endpoint.enabled)
        .map((endpoint) => ({ ...this.delivery(endpoint, values), topic }));
      for (const delivery of deliveries) this.options.onDelivery(delivery);
    }
    return randomUUID();
  }

  private delivery(endpoint: SnsEndpoint, values: Record<string, string>): SnsDelivery {
    const application = this.applications.get(endpoint.applicationArn)!;
    return { ...platformDelivery(application.snsPlatform, values), endpoint: { ...endpoint }, platform: application.platform };
  }

  private save(): void {
    const text = JSON.stringify(this.snapshot());
    const temporary = `${this.options.file}.${process.pid}.tmp`;
    this.writing = this.writing.then(async () => {
      await writeFile(temporary, text);
      await rename(temporary, this.options.file);
    }).catch((error: unknown) => console.error('local SNS: saving its state failed', error));
  }
}

function attributesOf(endpoint: SnsEndpoint): Record<string, string> {
  return { Token: endpoint.token, Enabled: String(endpoint.enabled), ...(endpoint.customUserData === undefined ? {} : { CustomUserData: endpoint.customUserData }) };
}

