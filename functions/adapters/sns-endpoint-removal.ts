/**
 * Removing SNS mobile-push resources: a device's endpoint and its topic subscriptions, both
 * named by the ARNs its record keeps. Its own module (SnsPushGateway adds registration,
 * subscription and publishing) so that `DELETE /me` carries two SNS commands, not seven, and
 * needs none of the push construct's ARNs.
 */
import { DeleteEndpointCommand, UnsubscribeCommand, type SNSClient } from '@aws-sdk/client-sns';
import { TooManyRequestsError } from '../core/errors.js';
import type { EndpointRemoval } from '../core/push/push-ports.js';

export class SnsEndpointRemoval implements EndpointRemoval {
  constructor(protected readonly sns: SNSClient) {}

  async deleteEndpoint(endpointArn: string): Promise<void> {
    await this.sns.send(new DeleteEndpointCommand({ EndpointArn: endpointArn })).catch(unlessNotFound);
  }

  async unsubscribe(subscriptionArn: string): Promise<void> {
    await this.sns.send(new UnsubscribeCommand({ SubscriptionArn: subscriptionArn })).catch(unlessNotFound);
  }
}

function unlessNotFound(error: unknown): void {
  if (nameOf(error) !== 'NotFoundException') rethrowSnsError(error);
}

/** SNS's throttling reaches the client as 429, like DynamoDB's (the SDK has retried first). */
export function rethrowSnsError(error: unknown): never {
  if (nameOf(error) === 'ThrottledException') throw new TooManyRequestsError('Push is busy; retry shortly.', { cause: error });
  throw error;
}

export function nameOf(error: unknown): string | undefined {
  return (error as { name?: string } | undefined)?.name;
}
