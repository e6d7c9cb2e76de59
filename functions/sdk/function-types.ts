/**
 * The types a user function is written against, derived from lambase.config.ts: the event of each
 * declared function (documents typed by their collection's zod schema), the HTTP request and
 * response, and `ctx`. Types only.
 */
import type { JsonLogger } from '../shared/logger.js';
import type * as z from 'zod/v4/core';
import type backend from '../../lambase.config.js';
import type { DocumentMeta } from '../core/documents/document-item.js';
import type { Page } from '../core/documents/document-service.js';
import type { ServerQuery } from '../core/documents/server-documents.js';
import type {
  DocumentCreatedEvent,
  DocumentDeletedEvent,
  DocumentUpdatedEvent,
  FileUploadedEvent,
  GeofenceEnteredEvent,
  GeofenceEvent,
  GeofenceExitedEvent,
  ScheduledEvent,
  UserSignedUpEvent,
} from '../core/events/lambase-events.js';
import type { InboxRequest, SendRequest, SendResult } from '../core/push/send-notification.js';
import type { ServerFile } from '../core/storage/server-files.js';

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type Definition = typeof backend.definition;
type Collections = Definition['collections'];

/** The collections of lambase.config.ts. */
export type CollectionName = keyof Collections & string;
type FieldsOf<C extends CollectionName> = Collections[C] extends { fields: infer F extends Record<string, z.$ZodType> } ? F : Record<string, z.$ZodType>;
type OptionalKeys<F extends Record<string, z.$ZodType>, IO extends 'input' | 'output'> = {
  [K in keyof F]: undefined extends (IO extends 'input' ? z.input<F[K]> : z.output<F[K]>) ? K : never;
}[keyof F];
type Shape<F extends Record<string, z.$ZodType>, IO extends 'input' | 'output'> = Simplify<
  { [K in Exclude<keyof F, OptionalKeys<F, IO>>]: IO extends 'input' ? z.input<F[K]> : z.output<F[K]> } & {
    [K in OptionalKeys<F, IO>]?: Exclude<IO extends 'input' ? z.input<F[K]> : z.output<F[K]>, undefined>;
  }
>;

/** A stored document of collection `C`: its fields as validated, plus `id`, `owner`, `createdAt`, `updatedAt`, `version`. */
export type DocumentOf<C extends CollectionName> = Simplify<Shape<FieldsOf<C>, 'output'> & DocumentMeta>;
/** What creating a document of `C` takes (fields with a default may be left out). */
export type DocumentInputOf<C extends CollectionName> = Shape<FieldsOf<C>, 'input'>;

/** Who called an HTTP function (from the verified access token). */
export type FunctionCaller = { userId: string; username?: string; groups: readonly string[] };

/** What an HTTP function receives. `body` is the parsed JSON body (undefined without one). */
export type HttpFunctionRequest<Caller extends FunctionCaller | undefined = FunctionCaller | undefined> = {
  type: 'http';
  method: string;
  path: string;
  params: Record<string, string>;
  query: Record<string, string>;
  headers: Record<string, string | undefined>;
  body: unknown;
  caller: Caller;
};

/** What an HTTP function answers: sent as JSON with this status (errors thrown map to the contract's shape). */
export type FunctionResponse = { status: number; body?: unknown; headers?: Record<string, string> };

type Functions = Definition extends { functions: infer F } ? F : Record<never, never>;
/** The functions of lambase.config.ts. */
export type FunctionName = keyof Functions & string;

type EventOfTrigger<O> = O extends 'userSignedUp' | { event: 'userSignedUp' }
  ? UserSignedUpEvent
  : O extends 'fileUploaded' | { event: 'fileUploaded' }
    ? FileUploadedEvent
    : O extends { event: 'documentCreated'; collection: infer C extends CollectionName }
      ? DocumentCreatedEvent<DocumentOf<C>>
      : O extends { event: 'documentUpdated'; collection: infer C extends CollectionName }
        ? DocumentUpdatedEvent<DocumentOf<C>>
        : O extends { event: 'documentDeleted'; collection: infer C extends CollectionName }
          ? DocumentDeletedEvent<DocumentOf<C>>
          : O extends { event: 'geofenceEntered'; collection: infer C extends CollectionName }
            ? GeofenceEnteredEvent<DocumentOf<C>>
            : O extends { event: 'geofenceExited'; collection: infer C extends CollectionName }
              ? GeofenceExitedEvent<DocumentOf<C>>
              : O extends 'geofenceEntered' | { event: 'geofenceEntered' }
                ? GeofenceEnteredEvent
                : O extends 'geofenceExited' | { event: 'geofenceExited' }
                  ? GeofenceExitedEvent
                  : never;

type ConfigOf<N extends FunctionName> = Functions[N];

/** Any event a function can receive, documents untyped (a function written without its config name). */
export type AnyFunctionEvent =
  | DocumentCreatedEvent
  | DocumentUpdatedEvent
  | DocumentDeletedEvent
  | FileUploadedEvent
  | UserSignedUpEvent
  | GeofenceEvent
  | ScheduledEvent
  | HttpFunctionRequest;

/** The event the function named `N` receives: its trigger's, typed from the config. */
export type EventFor<N extends FunctionName> = [N] extends [never]
  ? AnyFunctionEvent
  : ConfigOf<N> extends { http: { auth: 'public' } }
    ? HttpFunctionRequest<FunctionCaller | undefined>
    : ConfigOf<N> extends { http: object }
      ? HttpFunctionRequest<FunctionCaller>
      : ConfigOf<N> extends { on: infer O }
        ? EventOfTrigger<O>
        : ConfigOf<N> extends { schedule: string }
          ? ScheduledEvent
          : never;

/** What the function named `N` returns: a response for HTTP functions, nothing for the others. */
export type ResultFor<N extends FunctionName> = [N] extends [never]
  ? FunctionResponse | void
  : ConfigOf<N> extends { http: object }
    ? FunctionResponse
    : void;

/**
 * Documents on the backend's own authority: **the collections' access rules do not apply** — the
 * function decides for whom it reads and writes.
 */
export type FunctionDocuments = {
  get<C extends CollectionName>(collection: C, id: string): Promise<DocumentOf<C> | undefined>;
  /** @default owner "system" */
  create<C extends CollectionName>(collection: C, fields: DocumentInputOf<C>, options?: { owner?: string }): Promise<DocumentOf<C>>;
  /** PATCH semantics: listed fields replace, `null` removes an optional field. */
  update<C extends CollectionName>(
    collection: C,
    id: string,
    patch: { [K in keyof DocumentInputOf<C>]?: DocumentInputOf<C>[K] | null },
    options?: { ifVersion?: number },
  ): Promise<DocumentOf<C>>;
  /** False when there was no such document. */
  delete<C extends CollectionName>(collection: C, id: string, options?: { ifVersion?: number }): Promise<boolean>;
  /** Served by an index, or within one owner's documents (name `where.owner` on owner-only collections). */
  query<C extends CollectionName>(collection: C, query?: ServerQuery): Promise<Page<DocumentOf<C>>>;
  /** How many documents `owner` has in `collection`, counted without a scan. */
  count<C extends CollectionName>(collection: C, options: { owner: string }): Promise<number>;
};

export type FunctionFiles = {
  /** Any user's file, with a 15-minute `downloadUrl` once it is ready; undefined when there is none. */
  get(fileId: string): Promise<ServerFile | undefined>;
  /** How many files `owner` has, counted without a scan. */
  count(options: { owner: string }): Promise<number>;
};

/** Extra input of a log line: an error (or a string), or objects whose keys join the line. */
/** Structured JSON logs, one line per entry (`logger.info('sent', { postId })`, `logger.error('failed', error)`). */
export type FunctionLogger = Pick<JsonLogger, 'debug' | 'info' | 'warn' | 'error'>;

/** What a function's code can reach besides its event. Each part needs its `uses` entry in lambase.config.ts. */
export type FunctionContext = {
  /** uses: "documents" (or "documents:read", reads only). Bypasses the access rules. */
  documents: FunctionDocuments;
  /** uses: "files". Bypasses the storage access rules. */
  files: FunctionFiles;
  /**
   * uses: "push". Pushes to users' devices and topics, and into each recipient's inbox. In an event
   * function a send without a `notificationId` gets one derived from the event, so a retried event
   * overwrites its inbox items instead of adding more.
   */
  push: { send(request: SendRequest): Promise<SendResult> };
  /** uses: "notifications". Inbox only, no device push; same ids as `push` on retries. */
  notifications: { send(request: InboxRequest): Promise<{ notificationId: string; inbox: number }> };
  logger: FunctionLogger;
  /** Lambda's id for this invocation. */
  requestId: string;
  /** The event's id (the same on every redelivery); undefined for HTTP functions. */
  eventId: string | undefined;
  /** The function's name in lambase.config.ts. */
  functionName: string;
};

export type FunctionHandler<N extends FunctionName> = (event: EventFor<N>, ctx: FunctionContext) => Promise<ResultFor<N>>;
