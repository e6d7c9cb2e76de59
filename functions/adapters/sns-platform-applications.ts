/**
 * SNS platform applications (one per configured push platform), which CloudFormation has no
 * resource for: created, updated and deleted by the push construct's custom resource.
 */
import {
  CreatePlatformApplicationCommand,
  DeletePlatformApplicationCommand,
  SetPlatformApplicationAttributesCommand,
  type SNSClient,
} from '@aws-sdk/client-sns';
import { SNS_PLATFORM, type PushPlatform } from '../core/push/push-platforms.js';

export class SnsPlatformApplications {
  constructor(private readonly sns: SNSClient) {}

  /** Creates the application and returns its ARN. */
  async create(name: string, platform: PushPlatform, attributes: Record<string, string>): Promise<string> {
    const created = await this.sns.send(new CreatePlatformApplicationCommand({ Name: name, Platform: SNS_PLATFORM[platform], Attributes: attributes }));
    return created.PlatformApplicationArn!;
  }

  async setAttributes(arn: string, attributes: Record<string, string>): Promise<void> {
    await this.sns.send(new SetPlatformApplicationAttributesCommand({ PlatformApplicationArn: arn, Attributes: attributes }));
  }

  async delete(arn: string): Promise<void> {
    await this.sns.send(new DeletePlatformApplicationCommand({ PlatformApplicationArn: arn }));
  }
}
