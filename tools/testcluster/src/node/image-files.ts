// Repository files in an image: a project's own files (what installing, building and testing make
// left out, as .dockerignore leaves them out of a Docker build) and a recipe's `files` step.
import type { Hash } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { REPO_ROOT } from '../paths.ts';

/** Folders an npm project's hash and copy leave out: what installing and building make, and tests. */
const GENERATED = new Set(['node_modules', 'dist', '.medusa', 'test', 'coverage', '.cache']);

/** Every file under `dir` but the generated folders, sorted. */
export async function projectFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    if (GENERATED.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await projectFiles(path)));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}

/** The files of repository paths (files or folders), as paths from the repository root. */
async function repoFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const full = join(REPO_ROOT, path);
    if ((await stat(full)).isDirectory()) files.push(...(await projectFiles(full)));
    else files.push(full);
  }
  return files.map((file) => relative(REPO_ROOT, file));
}

/** Names and contents of repository paths, into a layer's hash. */
export async function hashRepoFiles(paths: readonly string[], hash: Hash): Promise<void> {
  for (const file of await repoFiles(paths))
    hash.update(`${file}\n`).update(await readFile(join(REPO_ROOT, file)));
}

/** Copies repository paths under `root/to`, keeping their layout from the repository root. */
export async function copyRepoFiles(paths: readonly string[], root: string, to: string): Promise<void> {
  for (const file of await repoFiles(paths)) {
    const target = join(root, to, file);
    await mkdir(dirname(target), { recursive: true });
    await copyFile(join(REPO_ROOT, file), target);
  }
}
