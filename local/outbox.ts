/**
 * Everything the backend "sent" while running locally: emails (confirmation and reset codes,
 * temporary passwords) and push messages. Readable at GET /_local/outbox, printed to the console,
 * kept in the data folder across restarts.
 */
import { readFile, writeFile } from 'node:fs/promises';

export type OutboxEmail = { to: string; subject: string; body: string; code?: string; sentAt: string };
export type OutboxPush = {
  to: string;
  deviceId?: string;
  topic?: string;
  title: string;
  body: string;
  data: Record<string, unknown>;
  sentAt: string;
};

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
    this.print(`🔔 to ${message.to}${message.topic ? ` (topic ${message.topic})` : ''}: ${message.title}`);
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
