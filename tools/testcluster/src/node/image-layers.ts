// An image's layers: one base layer (the system, pinned binaries, small files) and one for each npm
// build, dependency install or set of repository files, each a tar cached by the hash of what makes it.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import {
  chmod,
  copyFile,
  cp,
  mkdir,
  readdir,
  readFile,
  rename,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { resolvePinnedBinary } from '../binaries.ts';
import { TARGET_VERSION } from '../go-build.ts';
import { formatDuration, type Log } from '../log.ts';
import { cacheRoot, REPO_ROOT } from '../paths.ts';
import { capture, runLogged } from '../run.ts';
import { copyRepoFiles, hashRepoFiles, projectFiles } from './image-files.ts';
import { buildNpmProject, dependencyManifests, installNpmDependencies, npmPackageFile } from './image-npm.ts';
import { type BuildRun, copySource, type ImageRecipe, type ImageStep } from './image-recipes.ts';

/** Bumped when the way images are made changes, so cached archives are made again. */
const BUILDER_VERSION = 3;

/**
 * An image is one base layer (everything but the npm and repository files steps) and one layer per
 * such step, so a change to the storefront does not rebuild Medusa, nor a change to the orchestrator's
 * sources its dependencies. Each layer's hash covers what makes it.
 */
export interface LayerPlan {
  label: string;
  steps: ImageStep[];
  hash: string;
}

async function stepInputs(name: string, step: ImageStep, hash: ReturnType<typeof createHash>): Promise<void> {
  hash.update(JSON.stringify(step));
  if ('copy' in step) hash.update(await readFile(copySource(name, step)));
  if ('npmBuild' in step) {
    const project = join(REPO_ROOT, step.npmBuild.project);
    // The Node version that builds it, and for a workspace the root's resolved dependencies.
    hash.update(process.version);
    if (step.npmBuild.install === 'workspace')
      hash.update(await readFile(join(REPO_ROOT, 'package-lock.json')));
    for (const file of await projectFiles(project))
      hash.update(relative(project, file)).update(await readFile(file));
    if (step.npmBuild.inputs) await hashRepoFiles(step.npmBuild.inputs, hash);
  }
  if ('npmDependencies' in step) {
    hash.update(process.version);
    for (const file of dependencyManifests(step.npmDependencies))
      hash.update(`${file}\n`).update(await readFile(join(REPO_ROOT, file)));
  }
  if ('files' in step) await hashRepoFiles(step.files, hash);
  // The pinned version makes the binary (built from the Go module proxy with fixed flags).
  if ('goBinary' in step) hash.update(TARGET_VERSION[step.goBinary]);
}

/** The label of a step's own layer, or undefined for a step of the base layer. */
function ownLayer(step: ImageStep): string | undefined {
  if ('npmBuild' in step) return step.npmBuild.project;
  if ('buildRun' in step) return `build-time run for ${step.buildRun.outputs.map((o) => o.to).join(' ')}`;
  if ('npmDependencies' in step) return `${step.npmDependencies} dependencies`;
  if ('files' in step) return `files under ${step.to}`;
  return undefined;
}

export async function planLayers(name: string, recipe: ImageRecipe): Promise<LayerPlan[]> {
  const groups: { label: string; steps: ImageStep[] }[] = [{ label: 'base', steps: [] }];
  for (const step of recipe.steps) {
    const label = ownLayer(step);
    if (label) groups.push({ label, steps: [step] });
    else groups[0]?.steps.push(step);
  }
  const plans: LayerPlan[] = [];
  for (const group of groups.filter((g) => g.steps.length > 0)) {
    const hash = createHash('sha256').update(`${BUILDER_VERSION}\n`);
    for (const step of group.steps) await stepInputs(name, step, hash);
    plans.push({ ...group, hash: hash.digest('hex').slice(0, 16) });
  }
  // A build-time run depends on every other layer it runs over.
  const others = plans.filter((plan) => !isBuildRun(plan)).map((plan) => plan.hash);
  return plans.map((plan) =>
    isBuildRun(plan)
      ? {
          ...plan,
          hash: createHash('sha256').update(plan.hash).update(others.join('\n')).digest('hex').slice(0, 16),
        }
      : plan,
  );
}

/** Whether a layer is a build-time run, made over the image's other layers. */
export function isBuildRun(plan: LayerPlan): boolean {
  return plan.steps.some((step) => 'buildRun' in step);
}

export async function recipeHash(name: string, recipe: ImageRecipe): Promise<string> {
  const hash = createHash('sha256').update(
    `${BUILDER_VERSION}\n${JSON.stringify(recipe.config)}\n${recipe.tag}`,
  );
  for (const layer of await planLayers(name, recipe)) hash.update(layer.hash);
  return hash.digest('hex').slice(0, 16);
}

async function populate(
  rootfs: string,
  name: string,
  steps: ImageStep[],
  work: string,
  log: Log,
  others: string[],
): Promise<void> {
  for (const step of steps) {
    if ('buildRun' in step) {
      await buildRun(name, step.buildRun, rootfs, work, log, others);
    } else if ('debian' in step) {
      // mmdebstrap wants to create the directory itself.
      await rm(rootfs, { recursive: true, force: true });
      const { suite, packages, script } = step.debian;
      await runLogged(
        'mmdebstrap',
        [
          '--variant=minbase',
          '--mode=root',
          '--format=directory',
          `--include=${packages.join(',')}`,
          // Small images: no recommended packages, documentation or translations.
          '--aptopt=APT::Install-Recommends "false"',
          '--dpkgopt=path-exclude=/usr/share/doc/*',
          '--dpkgopt=path-exclude=/usr/share/man/*',
          '--dpkgopt=path-exclude=/usr/share/locale/*',
          '--dpkgopt=path-include=/usr/share/doc/*/copyright',
          ...(script ? [`--customize-hook=chroot "$1" sh -ec ${shellQuote(script)}`] : []),
          // Caches and package lists are of no use in an image.
          '--customize-hook=rm -rf "$1"/var/cache/apt/* "$1"/var/lib/apt/lists/*',
          suite,
          rootfs,
        ],
        { label: `image ${name} (mmdebstrap)`, log },
      );
    } else if ('npmPackage' in step) {
      const target = join(rootfs, step.to);
      await npmPackageFile(
        step.npmPackage,
        step.file,
        target,
        step.mode ?? '0755',
        work,
        `image ${name}`,
        log,
      );
    } else if ('npmBuild' in step) {
      await buildNpmProject(name, step.npmBuild, rootfs, work, log);
    } else if ('npmDependencies' in step) {
      await installNpmDependencies(name, step.npmDependencies, rootfs, step.to, work, log);
    } else if ('files' in step) {
      await copyRepoFiles(step.files, rootfs, step.to);
    } else if ('goBinary' in step) {
      const target = join(rootfs, step.to);
      await mkdir(dirname(target), { recursive: true });
      await copyFile(await resolvePinnedBinary(step.goBinary, { build: true, log }), target);
      await chmod(target, 0o755);
    } else if ('copy' in step) {
      const target = join(rootfs, step.to);
      await mkdir(dirname(target), { recursive: true });
      await copyFile(copySource(name, step), target);
      await chmod(target, Number.parseInt(step.mode ?? '0755', 8));
    } else if ('write' in step) {
      const target = join(rootfs, step.write);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, step.content, { mode: Number.parseInt(step.mode ?? '0644', 8) });
    } else {
      const applets = (await capture(join(rootfs, 'bin/busybox'), ['--list']))
        .split('\n')
        .map((line) => line.trim())
        .filter((name) => name && name !== 'busybox');
      for (const applet of applets) {
        const link = join(rootfs, 'bin', applet);
        if (!existsSync(link)) await symlink('busybox', link);
      }
    }
  }
}

/**
 * A build-time run: mmdebstrap makes a throwaway Debian system (the null format keeps nothing of it)
 * with the run's packages, unpacks the image's other layers over it, runs the script in it (mmdebstrap
 * mounts /dev and /proc for its hooks) and copies the outputs out, into the layer.
 */
async function buildRun(
  name: string,
  run: BuildRun,
  rootfs: string,
  work: string,
  log: Log,
  others: string[],
): Promise<void> {
  const out = join(work, 'run-outputs');
  // copy-out puts each output, under its own name, into an existing folder.
  for (const index of run.outputs.keys()) await mkdir(join(out, String(index)), { recursive: true });
  await runLogged(
    'mmdebstrap',
    [
      '--variant=minbase',
      '--mode=root',
      '--format=null',
      `--include=${run.packages.join(',')}`,
      '--aptopt=APT::Install-Recommends "false"',
      // Not over /dev, /proc and /sys: mmdebstrap has mounted them.
      ...others.map(
        (layer) =>
          `--customize-hook=tar -C "$1" --exclude=./dev --exclude=./proc --exclude=./sys -xf ${shellQuote(layer)}`,
      ),
      `--customize-hook=chroot "$1" sh -ec ${shellQuote(run.script)}`,
      ...run.outputs.map(
        (output, index) => `--customize-hook=copy-out ${output.from} ${join(out, String(index))}`,
      ),
      run.suite,
      '/dev/null',
    ],
    { label: `image ${name} (build-time run)`, log },
  );
  for (const [index, output] of run.outputs.entries()) {
    const target = join(rootfs, output.to);
    await mkdir(dirname(target), { recursive: true });
    await cp(join(out, String(index), basename(output.from)), target, { recursive: true });
  }
}

/** Earlier builds of the same image or layer: the cache keeps the latest only. */
export async function removeOlder(dir: string, prefix: string, keep: string, suffix = '.tar'): Promise<void> {
  for (const entry of await readdir(dir)) {
    const path = join(dir, entry);
    const sameKind =
      entry.startsWith(prefix) && entry.endsWith(suffix) && /^[0-9a-f]{16}/.test(entry.slice(prefix.length));
    if (sameKind && path !== keep) await rm(path, { force: true });
  }
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * One layer's tar, made when the cache lacks it. Returns its path. `others`: the tars of the image's
 * other layers, which a build-time run unpacks before it runs.
 */
export async function buildLayer(
  name: string,
  layer: LayerPlan,
  index: number,
  log: Log,
  others: string[] = [],
): Promise<string> {
  const dir = join(cacheRoot(), 'images', 'layers');
  const file = join(dir, `${name}-${index}-${layer.hash}.tar`);
  if (existsSync(file)) return file;
  const started = Date.now();
  const work = join(dir, `${name}-${index}.work-${process.pid}`);
  await rm(work, { recursive: true, force: true });
  try {
    const rootfs = join(work, 'rootfs');
    await mkdir(rootfs, { recursive: true });
    await populate(rootfs, name, layer.steps, work, log, others);
    const temporary = `${file}.tmp-${process.pid}`;
    // Reproducible: sorted names, fixed owner and times.
    await runLogged(
      'tar',
      [
        '--sort=name',
        '--owner=0',
        '--group=0',
        '--numeric-owner',
        '--mtime=@0',
        '-C',
        rootfs,
        '-cf',
        temporary,
        '.',
      ],
      { label: `image ${name} (layer ${layer.label})`, log },
    );
    await rename(temporary, file);
    await removeOlder(dir, `${name}-${index}-`, file);
    log(`built layer ${layer.label} of image ${name} in ${formatDuration(Date.now() - started)}`);
    return file;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
