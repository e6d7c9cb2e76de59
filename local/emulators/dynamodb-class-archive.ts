/**
 * DynamoDB Local's class archive (Java's AppCDS): the JVM maps the classes DynamoDB Local loads
 * from one file made at install, instead of finding, parsing and verifying them in ~160 jars at
 * every start — most of the emulator's start time (bench/README.md has the figures).
 *
 * DynamoDB Local cannot be archived as shipped: its jar's manifest puts its own folder (".", full of
 * jars) and its native libraries on the class path, and the JVM archives nothing from a class path
 * holding a non-empty folder, and disables an archive when a file it recorded as "not a class path
 * entry" exists. So the archive goes with a copy of the jar whose manifest lists the jars alone —
 * the same classes (the folder holds none; the native libraries load from java.library.path). The
 * copy sits in a folder of its own under the same name, so whatever looks for DynamoDB Local's
 * processes by their command line (the orphan checks) still finds it.
 *
 * An archive is only valid for the JVM that made it: its name is keyed by the `java` executable
 * (resolved path, size, modification time) and the DynamoDB Local version, so another Java gets
 * another archive. One the JVM rejects anyway (it says so and exits) is deleted by the start that
 * saw it, which goes on without it and makes it again (dynamodb.ts).
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { DYNAMODB_LOCAL_PACKAGE } from './dynamodb-local-install.js';

export type ClassArchive = {
  /** DynamoDB Local's jar with a manifest the JVM can archive. */
  jar: string;
  /** The archive for this Java and this DynamoDB Local. */
  file: string;
};

const ARCHIVE_FOLDER = 'class-archives';
const ARCHIVE_JAR = path.join(ARCHIVE_FOLDER, 'DynamoDBLocal.jar');

/** Where the archive of the `java` on PATH goes (present or not); undefined when PATH has no `java`. */
export async function classArchiveFor(emulatorDir: string): Promise<ClassArchive | undefined> {
  const java = await javaOnPath();
  if (!java) return undefined;
  const { size, mtimeMs } = await stat(java);
  const key = createHash('sha256').update(JSON.stringify([java, size, mtimeMs, DYNAMODB_LOCAL_PACKAGE])).digest('hex').slice(0, 16);
  return { jar: path.join(emulatorDir, ARCHIVE_JAR), file: path.join(emulatorDir, ARCHIVE_FOLDER, `${key}.jsa`) };
}

/** Both the archive and its jar are in place. */
export async function classArchivePresent(archive: ClassArchive): Promise<boolean> {
  const present = (file: string) => access(file).then(() => true, () => false);
  return (await present(archive.file)) && (await present(archive.jar));
}

/** The JVM's words when it cannot use an archive (with -Xshare:on it then exits). */
export const ARCHIVE_REJECTED = /shared archive|Unable to use shared archive/i;

/** Writes the archivable copy of DynamoDB Local's jar, unless it is there (written whole, then renamed). */
export async function ensureArchivableJar(emulatorDir: string): Promise<void> {
  const target = path.join(emulatorDir, ARCHIVE_JAR);
  if (await access(target).then(() => true, () => false)) return;
  const entries = unzipSync(new Uint8Array(await readFile(path.join(emulatorDir, 'DynamoDBLocal.jar'))));
  const manifest = entries['META-INF/MANIFEST.MF'];
  if (!manifest) throw new Error('DynamoDBLocal.jar has no manifest');
  entries['META-INF/MANIFEST.MF'] = strToU8(jarsOnlyManifest(strFromU8(manifest), '../'));
  // The manifest first, as a jar's readers expect; level 1: written once, read from the archive.
  const { 'META-INF/MANIFEST.MF': first, ...rest } = entries;
  const partial = `${target}.${process.pid}.partial`;
  await mkdir(path.dirname(target), { recursive: true });
  try {
    await writeFile(partial, zipSync({ 'META-INF/MANIFEST.MF': first!, ...rest }, { level: 1 }));
    await rename(partial, target);
  } finally {
    await rm(partial, { force: true });
  }
}

/**
 * The manifest with only `.jar` entries in its Class-Path, each behind `prefix` (where the copy's
 * folder is from the original's), in the format's 72-byte lines.
 */
export function jarsOnlyManifest(manifest: string, prefix: string): string {
  const unfolded = manifest.replace(/\r?\n /g, '');
  const lines = unfolded.split(/\r?\n/).filter((line) => line.length > 0);
  return `${lines
    .map((line) => {
      if (!line.startsWith('Class-Path:')) return line;
      const jars = line.slice('Class-Path:'.length).trim().split(/\s+/).filter((entry) => entry.endsWith('.jar'))
        .map((entry) => `${prefix}${entry}`);
      return `Class-Path: ${jars.join(' ')}`;
    })
    .map(fold)
    .join('\r\n')}\r\n\r\n`;
}

function fold(line: string): string {
  const parts = [line.slice(0, 72)];
  for (let at = 72; at < line.length; at += 71) parts.push(` ${line.slice(at, at + 71)}`);
  return parts.join('\r\n');
}

async function javaOnPath(): Promise<string | undefined> {
  for (const folder of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(folder, process.platform === 'win32' ? 'java.exe' : 'java');
    if (await access(candidate, constants.X_OK).then(() => true, () => false)) return realpath(candidate);
  }
  return undefined;
}
