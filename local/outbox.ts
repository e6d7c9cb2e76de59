/**
 * Everything the backend "sent" while running locally: emails (confirmation and reset codes,
 * temporary passwords) and push messages (every delivery the local SNS made to a device).
 * Readable at GET /_local/outbox, printed to the console, kept in the data folder across restarts.
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { DevicePlatform } from '../functions/core/push/push-platforms.js';
import type { SnsDelivery } from './emulators/sns/start-sns.js';

export type OutboxEmail = { to: string; subject: string; body: string; code?: string; sentAt: string };
export type OutboxPush = {
  /** The user the device belongs to (or the endpoint's ARN, for an endpoint Lambase did not make). */
  to: string;
  deviceId?: string;
  /** The topic it came through, when it was sent to one. */
  topic?: string;
  title: string;
  body: string;
  data: Record<string, unknown>;
  platform: DevicePlatform;
  /** Exactly what the push service (APNs, FCM) would have received. */
  payload: unknown;
  sentAt: string;
};

/** An SNS delivery as the outbox shows it: the endpoint's user data (`{ userId, deviceId }`) names the recipient. */
export function outboxPushOf(delivery: SnsDelivery): Omit<OutboxPush, 'sentAt'> {
  const owner = parseUserData(delivery.endpoint.customUserData);
  return {
    to: owner?.userId ?? delivery.endpoint.arn,
    ...(owner?.deviceId ? { deviceId: owner.deviceId } : {}),
    ...(delivery.topic ? { topic: delivery.topic } : {}),
    title: delivery.title,
    body: delivery.body,
    data: delivery.data,
    platform: delivery.platform,
    payload: delivery.payload,
  };
}

function parseUserData(text: string | undefined): { userId?: string; deviceId?: string } | undefined {
  try {
    const parsed = text === undefined ? undefined : (JSON.parse(text) as unknown);
    return typeof parsed === 'object' && parsed !== null ? (parsed as { userId?: string; deviceId?: string }) : undefined;
  } catch {
    return undefined;
  }
}

export class LocalOutbox {
  private emails: OutboxEmail[] = [];
  private push: OutboxPush[] = [];
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly print: (line: string) => void = () => {},
  ) {}

  /** The outbox kept in `file`, with what an earlier run sent. */
  static async open(file: string, print?: (line: string) => void): Promise<LocalOutbox> {
    const outbox = new LocalOutbox(file, print);
    await outbox.load();
    return outbox;
  }

  private async load(): Promise<void> {
    const saved = await readFile(this.file, 'utf8').then((text) => JSON.parse(text) as { emails: OutboxEmail[]; push: OutboxPush[] }, () => undefined);
    this.emails = saved?.emails ?? [];
    this.push = saved?.push ?? [];
  }

  addEmail(email: Omit<OutboxEmail, 'sentAt'>): void {
    this.emails.push({ ...email, sentAt: new Date().toISOString() });
    this.print(`✉  to ${email.to}: ${email.subject}${email.code ? ` — code ${email.code}` : ''}`);
    this.save();
  }

  addPush(message: Omit<OutboxPush, 'sentAt'>): void {
    this.push.push({ ...message, sentAt: new Date().toISOString() });
    this.print(`🔔 to ${message.to}${message.deviceId ? ` (${message.platform} device ${message.deviceId})` : ''}${message.topic ? ` via topic ${message.topic}` : ''}: ${message.title}`);
    this.save();
  }

  clear(): void {
    this.emails = [];
    this.push = [];
    this.save();
  }

  toJSON(): { emails: OutboxEmail[]; push: OutboxPush[] } {
    return { emails: [...this.emails], push: [...this.push] };
  }

  /** Resolves when everything added so far is on disk. */
  flush(): Promise<void> {
    return this.writing;
  }

  private save(): void {
    const snapshot = JSON.stringify(this.toJSON());
    this.writing = this.writing.then(() => writeFile(this.file, snapshot)).catch(() => undefined);
  }
}
