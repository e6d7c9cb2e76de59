/**
 * S3 event notifications carry object keys form-encoded: `+` for a space, `%XX` for other
 * reserved characters (`files/u1/a+b%2B.txt` is the key `files/u1/a b+.txt`). The storage trigger
 * and local mode's event routing both decode them here.
 */
export function decodeS3EventKey(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}
