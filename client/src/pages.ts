import type { Page, PageOptions } from './api-types.js';

/**
 * Every item of a paginated list, page after page, for `for await`.
 *
 * @example
 * for await (const file of eachItem(client.files.list)) console.log(file.name);
 * for await (const user of eachItem(client.admin.listUsers, { limit: 100 })) count++;
 */
export async function* eachItem<T, O extends PageOptions>(list: (options: O) => Promise<Page<T>>, options?: O): AsyncGenerator<T, void, undefined> {
  let cursor = options?.cursor;
  do {
    const page = await list({ ...options, cursor } as O);
    yield* page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}
