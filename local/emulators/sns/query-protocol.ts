/**
 * SNS's wire protocol (awsQuery), as @aws-sdk/client-sns speaks it: a form-encoded POST with
 * `Action`, flat parameters and maps as `Name.entry.N.key` / `Name.entry.N.value`; answers in XML,
 * `<ActionResponse><ActionResult>…</ActionResult><ResponseMetadata/>`, and errors as
 * `<ErrorResponse><Error><Type/><Code/><Message/></Error>` with SNS's status codes.
 */
import { randomUUID } from 'node:crypto';
import { escapeXml } from '../s3/s3-error.js';

const NAMESPACE = 'http://sns.amazonaws.com/doc/2010-03-31/';

/** A refusal in SNS's own words: the code (the SDK's exception is `<Code>Exception`), status and message. */
export class SnsError extends Error {
  override readonly name = 'SnsError';

  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const snsError = {
  invalidParameter: (message: string) => new SnsError('InvalidParameter', 400, message),
  notFound: (message: string) => new SnsError('NotFound', 404, message),
  endpointDisabled: () => new SnsError('EndpointDisabled', 400, 'Endpoint is disabled'),
  invalidAction: (action: string) => new SnsError('InvalidAction', 400, `Could not find operation ${action} for version 2010-03-31`),
};

export class QueryParameters {
  constructor(private readonly params: URLSearchParams) {}

  static parse(body: string): QueryParameters {
    return new QueryParameters(new URLSearchParams(body));
  }

  optional(name: string): string | undefined {
    return this.params.get(name) ?? undefined;
  }

  /** A required parameter: missing or empty is SNS's InvalidParameter. */
  required(name: string): string {
    const value = this.params.get(name);
    if (value === null || value === '') throw snsError.invalidParameter(`Invalid parameter: ${name}`);
    return value;
  }

  /** A map parameter (`Name.entry.N.key` / `.value`). */
  map(name: string): Record<string, string> {
    const map: Record<string, string> = {};
    for (let index = 1; this.params.has(`${name}.entry.${index}.key`); index++) {
      map[this.params.get(`${name}.entry.${index}.key`)!] = this.params.get(`${name}.entry.${index}.value`) ?? '';
    }
    return map;
  }
}

/** Result fields, rendered in order: strings as elements, maps as `<entry><key/><value/></entry>` lists. */
export type ResultFields = Record<string, string | Record<string, string>>;

export function renderResult(action: string, fields: ResultFields | undefined): string {
  const result = fields
    ? `<${action}Result>${Object.entries(fields)
        .map(([name, value]) => (typeof value === 'string' ? element(name, value) : `<${name}>${Object.entries(value).map(([key, entry]) => `<entry>${element('key', key)}${element('value', entry)}</entry>`).join('')}</${name}>`))
        .join('')}</${action}Result>`
    : '';
  return `<${action}Response xmlns="${NAMESPACE}">${result}<ResponseMetadata>${element('RequestId', randomUUID())}</ResponseMetadata></${action}Response>`;
}

export function renderError(error: SnsError): string {
  const type = error.status >= 500 ? 'Receiver' : 'Sender';
  return `<ErrorResponse xmlns="${NAMESPACE}"><Error>${element('Type', type)}${element('Code', error.code)}${element('Message', error.message)}</Error>${element('RequestId', randomUUID())}</ErrorResponse>`;
}

function element(name: string, value: string): string {
  return `<${name}>${escapeXml(value)}</${name}>`;
}

