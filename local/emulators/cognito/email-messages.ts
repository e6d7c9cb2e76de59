/**
 * Delivers the pool's emails to a callback instead of cognito-local's console box. It replaces
 * cognito-local's MessagesService (not just its MessageSender) because a sender is not told which
 * kind of message it carries, and the subject and body depend on it: verification codes use the
 * pool's verification template, invitations Cognito's temporary-password template. A configured
 * CustomMessage trigger rewrites either, as in Cognito.
 */
import type { Context } from 'cognito-local/lib/services/context.js';
import type { Messages } from 'cognito-local/lib/services/messages.js';
import type { Triggers } from 'cognito-local/lib/services/triggers/triggers.js';
import type { User } from 'cognito-local/lib/services/userPoolService.js';
import { VERIFICATION_EMAIL } from '../../../lib/auth/auth-settings.js';

/** One email the user pool sent. `code` is the code or temporary password it carries. */
export type LocalEmail = { to: string; subject: string; body: string; code?: string };

type MessageSource = Parameters<Messages['deliver']>[1];

/** The pool's verification template (the one the CDK deploys) and Cognito's invitation default. */
const TEMPLATES = {
  verification: VERIFICATION_EMAIL,
  invitation: { subject: 'Your temporary password', body: 'Your username is {username} and temporary password is {####}.' },
} as const;

export class EmailMessages implements Messages {
  constructor(
    private readonly triggers: Triggers,
    private readonly onEmail: (email: LocalEmail) => void,
  ) {}

  async deliver(
    ctx: Context,
    source: MessageSource,
    clientId: string | null,
    userPoolId: string,
    user: User,
    code: string,
    clientMetadata: Record<string, string> | undefined,
    deliveryDetails: Parameters<Messages['deliver']>[7],
  ): Promise<void> {
    // SMS is not emulated: Lambase pools only deliver by email.
    if (deliveryDetails.DeliveryMedium !== 'EMAIL') return;
    const template = source === 'AdminCreateUser' ? TEMPLATES.invitation : TEMPLATES.verification;
    let subject: string = template.subject;
    let body: string = template.body;
    if (this.triggers.enabled('CustomMessage')) {
      // Answers with the code and username already substituted, or null when the trigger failed.
      const custom = await this.triggers.customMessage(ctx, {
        // Cognito's callerContext.clientId for admin-initiated messages.
        clientId: clientId ?? 'CLIENT_ID_NOT_APPLICABLE',
        clientMetadata,
        code,
        source: `CustomMessage_${source}`,
        userAttributes: user.Attributes,
        username: user.Username,
        userPoolId,
      });
      if (custom?.emailSubject) subject = custom.emailSubject;
      if (custom?.emailMessage) body = custom.emailMessage;
    }
    const email = user.Attributes.find((attribute) => attribute.Name === 'email')?.Value ?? user.Username;
    body = body.replace('{####}', code).replace('{username}', email);
    this.onEmail({ to: deliveryDetails.Destination, subject, body, code });
  }
}
