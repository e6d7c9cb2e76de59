/**
 * `client.files` (docs/api/files.md). An upload is three steps behind one call: ask for a presigned
 * POST, send the bytes straight to the storage (with progress through XMLHttpRequest where it
 * exists, i.e. browsers; fetch elsewhere), then wait — polling with backoff — until the storage
 * event has checked the object and marked the file `ready`.
 */
import type { FileInfo, FileVisibility, FileWithDownload, Page, PageOptions, UploadTicket } from './api-types.js';
import type { Core } from './core.js';
import { errorFromResponse, errorWithoutResponse, LambaseError } from './errors.js';
import { backoff, sleep, type CallOptions, type Http } from './http.js';

export type UploadProgress = { loaded: number; total: number };

export type UploadOptions = CallOptions & {
  /** @default the File's name, else "file" */
  name?: string;
  /** @default the Blob's type, else application/octet-stream */
  contentType?: string;
  /** `public` files can be read without a token. @default 'private' */
  visibility?: FileVisibility;
  /** Bytes sent so far (several times a second in browsers; at start and end elsewhere). */
  onProgress?: (progress: UploadProgress) => void;
  /** Give up waiting for `ready` after this long (`Timeout`). @default 60000 */
  readyTimeoutMs?: number;
};

export type FilesService = ReturnType<typeof createFiles>;

/**
 * The files service of a hand-composed client (`client.files` on a full one).
 *
 * @example
 * const files = createFiles(createCore({ url }));
 */
export function createFiles(core: Core) {
  const { http } = core;
  const at = (fileId: string) => `/storage/files/${encodeURIComponent(fileId)}`;
  const get = (fileId: string, options?: CallOptions) => http.request<FileWithDownload>({ method: 'GET', path: at(fileId), ...options });

  async function downloadUrl(fileId: string, options?: CallOptions): Promise<string> {
    const file = await get(fileId, options);
    if (!file.downloadUrl) throw new LambaseError({ status: 409, code: 'Conflict', message: `File ${fileId} is ${file.status}, not ready` });
    return file.downloadUrl;
  }

  return {
    /**
     * Uploads a Blob or File and resolves once the storage has accepted it (`status: 'ready'`).
     * Rejects with `UploadRejected` when the storage refuses the bytes, `Timeout` when `ready` does not come.
     *
     * @example
     * const file = await client.files.upload(input.files[0], {
     *   visibility: 'public',
     *   onProgress: ({ loaded, total }) => (bar.value = loaded / total),
     * });
     * img.src = file.downloadUrl;
     */
    async upload(blob: Blob, options: UploadOptions = {}): Promise<FileWithDownload> {
      const { signal } = options;
      const name = options.name ?? (blob as Partial<File>).name ?? 'file';
      const contentType = options.contentType || blob.type || 'application/octet-stream';
      const ticket = await http.request<UploadTicket>({
        method: 'POST',
        path: '/storage/uploads',
        body: { name, contentType, size: blob.size, visibility: options.visibility ?? 'private' },
        auth: 'required',
        create: true,
        signal,
      });
      const form = new FormData();
      for (const [field, value] of Object.entries(ticket.upload.fields)) form.append(field, value);
      form.append('file', blob, name);
      await sendForm(http, ticket.upload.url, form, blob.size, options);
      return untilReady(get, ticket.fileId, options.readyTimeoutMs ?? 60_000, signal);
    },

    /**
     * One page of the caller's files, newest first.
     *
     * @example
     * const { items } = await client.files.list({ limit: 50 });
     */
    list: (options: PageOptions & CallOptions = {}) =>
      http.request<Page<FileInfo>>({ method: 'GET', path: '/storage/files', query: { limit: options.limit, cursor: options.cursor }, auth: 'required', signal: options.signal }),

    /**
     * A file's metadata and, once ready, a download URL valid up to 15 minutes.
     *
     * @example
     * const { name, size, downloadUrl } = await client.files.get(fileId);
     */
    get,

    /**
     * A fresh download URL (for `<img src>`, links); `Conflict` while the file is not ready.
     *
     * @example
     * img.src = await client.files.downloadUrl(fileId);
     */
    downloadUrl,

    /**
     * The file's bytes.
     *
     * @example
     * const blob = await client.files.download(fileId);
     */
    async download(fileId: string, options?: CallOptions): Promise<Blob> {
      const url = await downloadUrl(fileId, options);
      let response: Response;
      try {
        response = await http.fetch(url, { signal: options?.signal });
      } catch (cause) {
        throw errorWithoutResponse(cause, options?.signal);
      }
      if (!response.ok) throw await errorFromResponse(response);
      return response.blob();
    },

    /**
     * Deletes a file: object and record.
     *
     * @example
     * await client.files.delete(fileId);
     */
    delete: (fileId: string, options?: CallOptions) => http.request<void>({ method: 'DELETE', path: at(fileId), auth: 'required', ...options }),
  };
}

/** The part of XMLHttpRequest an upload uses (typed here so the client compiles without the DOM library). */
type UploadRequest = {
  status: number;
  responseText: string;
  upload: { onprogress: ((event: { loaded: number; total: number; lengthComputable: boolean }) => void) | null };
  onload: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
  open(method: string, url: string): void;
  send(body: FormData): void;
  abort(): void;
};

/** POSTs the presigned form; the same form may be sent again after a lost answer (same object key). */
async function sendForm(http: Http, url: string, form: FormData, size: number, options: UploadOptions): Promise<void> {
  const { onProgress, signal } = options;
  for (let attempt = 0; ; attempt++) {
    try {
      // Browsers: the only API that reports upload progress. Elsewhere (Node, workers): fetch.
      const Xhr = (globalThis as { XMLHttpRequest?: new () => UploadRequest }).XMLHttpRequest;
      if (Xhr) return await sendWithXhr(new Xhr(), url, form, size, options);
      onProgress?.({ loaded: 0, total: size });
      let response: Response;
      try {
        response = await http.fetch(url, { method: 'POST', body: form, signal });
      } catch (cause) {
        throw errorWithoutResponse(cause, signal);
      }
      if (!response.ok) throw await errorFromResponse(response);
      onProgress?.({ loaded: size, total: size });
      return;
    } catch (error) {
      const failure = error as LambaseError;
      const repeatable = failure.code === 'NetworkError' || failure.status >= 500 || failure.status === 429;
      if (!repeatable || attempt >= http.retry.retries) throw error;
      await backoff(http.retry, attempt, undefined, signal);
    }
  }
}

function sendWithXhr(xhr: UploadRequest, url: string, form: FormData, size: number, { onProgress, signal }: UploadOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const abort = () => xhr.abort();
    xhr.open('POST', url);
    xhr.upload.onprogress = (event) => onProgress?.({ loaded: event.loaded, total: event.lengthComputable ? event.total : size });
    xhr.onload = () => {
      signal?.removeEventListener('abort', abort);
      if (xhr.status < 300) return resolve();
      void errorFromResponse(new Response(xhr.responseText, { status: xhr.status })).then(reject);
    };
    xhr.onerror = () => reject(errorWithoutResponse(new Error('upload failed'), undefined));
    xhr.onabort = () => reject(errorWithoutResponse(undefined, signal));
    signal?.addEventListener('abort', abort, { once: true });
    xhr.send(form);
  });
}

async function untilReady(
  get: (fileId: string, options?: CallOptions) => Promise<FileWithDownload>,
  fileId: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<FileWithDownload> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 100; ; delay = Math.min(delay * 1.5, 2000)) {
    const file = await get(fileId, { signal });
    if (file.status === 'ready') return file;
    if (file.status === 'rejected') {
      throw new LambaseError({ status: 400, code: 'UploadRejected', message: `The storage rejected ${file.name}: it does not match the declared size or type` });
    }
    if (Date.now() + delay > deadline) {
      throw new LambaseError({ status: 0, code: 'Timeout', message: `File ${fileId} is still ${file.status} after ${timeoutMs} ms` });
    }
    await sleep(delay, signal);
  }
}
