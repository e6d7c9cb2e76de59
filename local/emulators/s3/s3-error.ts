import { randomBytes } from 'node:crypto';

/** Values S3 adds to an error body after Code and Message (ProposedSize, StringToSign…). */
export type S3ErrorDetail = Readonly<Record<string, string | number>>;

/**
 * A refusal in S3's own words: the code, status and message real S3 answers with, so that local
 * mode fails where the cloud would and with the same error a client can branch on.
 *
 * @example
 * throw new S3Error('AccessDenied', 403, 'Invalid according to Policy: Policy expired.');
 */
export class S3Error extends Error {
  override readonly name = 'S3Error';

  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly detail: S3ErrorDetail = {},
  ) {
    super(message);
  }
}

/** Ids shaped like S3's x-amz-request-id (16 hex) and x-amz-id-2 (base64). */
export function newRequestIds(): { requestId: string; hostId: string } {
  return {
    requestId: randomBytes(8).toString('hex').toUpperCase(),
    hostId: randomBytes(48).toString('base64'),
  };
}

/** S3's XML error document: `<Error><Code/><Message/>…detail…<RequestId/><HostId/></Error>`. */
export function renderS3ErrorXml(error: S3Error, ids: { requestId: string; hostId: string }): string {
  const element = (name: string, value: string | number): string => `<${name}>${escapeXml(String(value))}</${name}>`;
  const detail = Object.entries(error.detail).map(([name, value]) => element(name, value));
  return [
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error>',
    element('Code', error.code),
    element('Message', error.message),
    ...detail,
    element('RequestId', ids.requestId),
    element('HostId', ids.hostId),
    '</Error>',
  ].join('');
}

export function escapeXml(text: string): string {
  const entities: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' };
  return text.replace(/[<>&"']/g, (char) => entities[char] ?? char);
}
