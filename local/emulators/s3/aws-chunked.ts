/**
 * The AWS SDK's default flexible checksums send streaming bodies `aws-chunked`
 * (`<hex size>[;chunk-signature=…]\r\n<bytes>\r\n … 0\r\n<trailers>\r\n\r\n`). Real S3 unwraps them;
 * s3rver stores the framing as the object. The front unwraps them on the way through, as a stream,
 * so a client built without `localS3ClientOptions` still stores the bytes it sent.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';

const MAX_LINE_BYTES = 8 * 1024;

export function isAwsChunked(headers: IncomingHttpHeaders): boolean {
  return contentEncodings(headers).some((encoding) => encoding.toLowerCase() === 'aws-chunked');
}

/** The same request's headers once its body is plain: real length, no aws-chunked, no trailer. */
export function plainBodyHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const plain: IncomingHttpHeaders = { ...headers, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };
  for (const name of ['content-encoding', 'content-length', 'transfer-encoding', 'x-amz-trailer', 'x-amz-decoded-content-length']) delete plain[name];
  const encodings = contentEncodings(headers).filter((encoding) => encoding.toLowerCase() !== 'aws-chunked');
  if (encodings.length > 0) plain['content-encoding'] = encodings.join(', ');
  const decodedLength = headers['x-amz-decoded-content-length'];
  if (typeof decodedLength === 'string') plain['content-length'] = decodedLength;
  return plain;
}

type DecoderState = 'size-line' | 'data' | 'data-end' | 'trailer' | 'done';

/** Streams the payload out of an aws-chunked body, dropping chunk signatures and trailers. */
export class AwsChunkedDecoder extends Transform {
  #state: DecoderState = 'size-line';
  #remaining = 0;
  #pending: Buffer = Buffer.alloc(0);

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let buffer = this.#pending.length > 0 ? Buffer.concat([this.#pending, chunk]) : chunk;
    this.#pending = Buffer.alloc(0);
    while (buffer.length > 0 && this.#state !== 'done') {
      if (this.#state === 'data') {
        const take = Math.min(this.#remaining, buffer.length);
        this.push(buffer.subarray(0, take));
        this.#remaining -= take;
        buffer = buffer.subarray(take);
        if (this.#remaining === 0) this.#state = 'data-end';
        continue;
      }
      const lineEnd = buffer.indexOf('\r\n');
      if (lineEnd === -1) {
        if (buffer.length > MAX_LINE_BYTES) return callback(new Error('aws-chunked body: chunk header too long'));
        this.#pending = buffer;
        break;
      }
      const line = buffer.subarray(0, lineEnd).toString('latin1');
      buffer = buffer.subarray(lineEnd + 2);
      const failure = this.#readLine(line);
      if (failure) return callback(failure);
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    // A body cut before its final empty line still delivered every byte once the 0-chunk was read.
    callback(this.#state === 'done' || this.#state === 'trailer' ? undefined : new Error('aws-chunked body ended early'));
  }

  #readLine(line: string): Error | undefined {
    switch (this.#state) {
      case 'size-line': {
        const size = Number.parseInt(line.split(';', 1)[0] ?? '', 16);
        if (!Number.isSafeInteger(size) || size < 0) return new Error(`aws-chunked body: bad chunk size line ${JSON.stringify(line)}`);
        this.#remaining = size;
        this.#state = size === 0 ? 'trailer' : 'data';
        return undefined;
      }
      case 'data-end':
        if (line !== '') return new Error('aws-chunked body: chunk longer than declared');
        this.#state = 'size-line';
        return undefined;
      case 'trailer':
        // Trailer lines (x-amz-checksum-crc32:…, x-amz-trailer-signature:…) until an empty line.
        if (line === '') this.#state = 'done';
        return undefined;
      default:
        return undefined;
    }
  }
}

function contentEncodings(headers: IncomingHttpHeaders): string[] {
  return (headers['content-encoding'] ?? '')
    .split(',')
    .map((encoding) => encoding.trim())
    .filter((encoding) => encoding !== '');
}
