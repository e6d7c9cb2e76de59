/**
 * The file routes in the authorization matrix (docs/api/files.md): a private file is its owner's
 * and the admins' alone (404 to everyone else, no existence leak); a public file, once ready, is
 * everyone's to read; only the owner or an admin deletes.
 */
import { expect } from 'vitest';
import { send, type Response } from '../harness/http.js';
import type { SignedInCaller, World } from '../harness/world.js';
import { signedIn, type FeatureScenarios, type ObjectUnderTest, type ScenarioContext } from './scenario-types.js';

type UploadTicket = { fileId: string; upload: { url: string; fields: Record<string, string> } };
const BYTES = new TextEncoder().encode('security suite');

/** Declares a file of `owner`'s (pending: no bytes yet); `uploaded` also sends the bytes and waits until it is ready. */
export async function fileOf(world: World, owner: SignedInCaller, options: { visibility: 'private' | 'public'; uploaded?: boolean }): Promise<ObjectUnderTest> {
  const token = world.users[owner].accessToken;
  const declared = await send(world.url, {
    method: 'POST',
    path: '/storage/uploads',
    token,
    body: { name: 'security.txt', contentType: 'text/plain', size: BYTES.length, visibility: options.visibility },
  });
  if (declared.status !== 201) throw new Error(`upload refused: ${declared.status} ${declared.text}`);
  const ticket = declared.json as UploadTicket;
  if (options.uploaded) {
    const form = new FormData();
    for (const [name, value] of Object.entries(ticket.upload.fields)) form.append(name, value);
    form.append('file', new Blob([BYTES], { type: 'text/plain' }), 'security.txt');
    const stored = await fetch(ticket.upload.url, { method: 'POST', body: form });
    if (!stored.ok) throw new Error(`storage refused the bytes: ${stored.status}`);
    // The S3 trigger marks it ready: wait for that event's effect, not for a fixed time.
    for (let tries = 0; ; tries++) {
      const file = await send(world.url, { method: 'GET', path: `/storage/files/${ticket.fileId}`, token });
      if ((file.json as { status?: string }).status === 'ready') break;
      if (tries > 300) throw new Error(`file ${ticket.fileId} never became ready`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return { params: { fileId: ticket.fileId }, ownerId: world.users[owner].userId };
}

/** A refused delete left the file in place (its owner still reads it); an allowed one removed it. */
async function fileAfterDelete({ world }: ScenarioContext, file: ObjectUnderTest | undefined, response: Response): Promise<void> {
  const owner = Object.values(world.users).find((user) => user.userId === file!.ownerId)!;
  const read = await send(world.url, { method: 'GET', path: `/storage/files/${file!.params.fileId}`, token: owner.accessToken });
  expect(read.status, 'the owner reads the file after the delete').toBe(response.status === 204 ? 404 : 200);
}

const listHolds = (response: Response, fileId: string) => ((response.json as { items?: { fileId: string }[] })?.items ?? []).some((item) => item.fileId === fileId);

export const storageScenarios: FeatureScenarios = {
  requestUpload: [
    {
      name: 'a private text file',
      request: () => ({ body: { name: 'a.txt', contentType: 'text/plain', size: 5, visibility: 'private' } }),
      expect: signedIn(201),
      withField: (body, field, value) => ({ ...(body as object), [field]: value }),
    },
  ],
  listFiles: [
    {
      name: 'the caller\'s files',
      object: (world, owner) => fileOf(world, owner, { visibility: 'private' }),
      request: () => ({ query: { limit: '100' } }),
      expect: signedIn(200),
      verify: ({ caller }, file, response) => {
        if (response.status === 200) expect(listHolds(response, file!.params.fileId!), 'only the owner lists the file').toBe(caller === 'owner');
      },
    },
  ],
  getFile: [
    {
      name: 'a private file',
      object: (world, owner) => fileOf(world, owner, { visibility: 'private' }),
      request: (_context, file) => ({ params: file!.params }),
      expect: { anonymous: 404, owner: 200, other: 404, member: 404, admin: 200 },
      ownedParams: ['fileId'],
    },
    {
      name: 'a public file, not uploaded yet',
      object: (world, owner) => fileOf(world, owner, { visibility: 'public' }),
      request: (_context, file) => ({ params: file!.params }),
      expect: { anonymous: 404, owner: 200, other: 404, member: 404, admin: 200 },
      ownedParams: ['fileId'],
    },
    {
      name: 'a public file, ready',
      object: (world, owner) => fileOf(world, owner, { visibility: 'public', uploaded: true }),
      request: (_context, file) => ({ params: file!.params }),
      expect: { anonymous: 200, owner: 200, other: 200, member: 200, admin: 200 },
      verify: (_context, _file, response) => {
        expect(response.json).toMatchObject({ status: 'ready', downloadUrl: expect.stringMatching(/^http/) });
      },
    },
  ],
  deleteFile: [
    {
      name: 'a private file',
      object: (world, owner) => fileOf(world, owner, { visibility: 'private' }),
      request: (_context, file) => ({ params: file!.params }),
      expect: { anonymous: 401, owner: 204, other: 404, member: 404, admin: 204 },
      verify: fileAfterDelete,
      ownedParams: ['fileId'],
    },
  ],
};
