// An image's layers: one base layer (everything but the npm builds) and one per npm build, each a tar
// cached by the hash of what makes it.
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
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { formatDuration, type Log } from '../log.ts';
import { cacheRoot, REPO_ROOT } from '../paths.ts';
import { capture, runLogged } from '../run.ts';
import { copySource, type ImageRecipe, type ImageStep, type NpmBuild } from './image-recipes.ts';

/** Bumped when the way images are made changes, so cached archives are made again. */
const BUILDER_VERSION = 3;

/** Folders an npm project's hash and copy leave out: what installing and building make. */
const GENERATED = new Set(['node_modules', 'dist', '.medusa', 'test', 'coverage', '.cache']);

async function projectFiles(dir: string): Promise<string[]> {
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

/**
 * An image is one base layer (everything but the npm builds) and one layer per npm build, so a
 * change to the storefront does not rebuild Medusa. Each layer's hash covers what makes it.
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
  }
}

export async function planLayers(name: string, recipe: ImageRecipe): Promise<LayerPlan[]> {
  const groups: { label: string; steps: ImageStep[] }[] = [{ label: 'base', steps: [] }];
  for (const step of recipe.steps) {
    if ('npmBuild' in step) groups.push({ label: step.npmBuild.project, steps: [step] });
    else groups[0]?.steps.push(step);
  }
  const plans: LayerPlan[] = [];
  for (const group of groups.filter((g) => g.steps.length > 0)) {
    const hash = createHash('sha256').update(`${BUILDER_VERSION}\n`);
    for (const step of group.steps) await stepInputs(name, step, hash);
    plans.push({ ...group, hash: hash.digest('hex').slice(0, 16) });
  }
  return plans;
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
): Promise<void> {
  for (const step of steps) {
    if ('debian' in step) {
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
      const unpacked = join(work, 'npm-package');
      await mkdir(unpacked, { recursive: true });
      const tarball = (
        await runLogged('npm', ['pack', '--silent', step.npmPackage], {
          label: `image ${name} (npm pack)`,
          log,
          cwd: unpacked,
        })
      ).trim();
      await runLogged('tar', ['-xzf', tarball, `package/${step.file}`], {
        label: `image ${name} (unpack)`,
        log,
        cwd: unpacked,
      });
      const target = join(rootfs, step.to);
      await mkdir(dirname(target), { recursive: true });
      await copyFile(join(unpacked, 'package', step.file), target);
      await chmod(target, Number.parseInt(step.mode ?? '0755', 8));
    } else if ('npmBuild' in step) {
      await buildNpmProject(name, step.npmBuild, rootfs, work, log);
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

async function buildNpmProject(
  name: string,
  build: NpmBuild,
  rootfs: string,
  work: string,
  log: Log,
): Promise<void> {
  const label = `image ${name} (${build.project})`;
  const npm = (args: string[], cwd: string) =>
    runLogged('npm', [...args, '--no-audit', '--no-fund'], { label, log, cwd });
  let built: string;
  if (build.install === 'ci') {
    // A copy outside the repository, so nothing it installs or builds lands in the work tree.
    built = join(work, 'project');
    const source = join(REPO_ROOT, build.project);
    for (const file of await projectFiles(source)) {
      const target = join(built, relative(source, file));
      await mkdir(dirname(target), { recursive: true });
      await copyFile(file, target);
    }
    await npm(['ci'], built);
    await runLogged('npm', ['run', build.script], { label, log, cwd: built });
    await npm(['prune', '--omit=dev'], built);
  } else {
    built = join(REPO_ROOT, build.project);
    await runLogged('npm', ['run', build.script, '--workspace', build.project], {
      label,
      log,
      cwd: REPO_ROOT,
    });
  }
  for (const output of build.outputs) {
    const from = join(built, output.from);
    if (!existsSync(from)) throw new Error(`${label}: the build made no ${output.from}`);
    const target = join(rootfs, output.to);
    await mkdir(dirname(target), { recursive: true });
    if ((await stat(from)).isDirectory()) await cp(from, target, { recursive: true, verbatimSymlinks: true });
    else await copyFile(from, target);
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

/** One layer's tar, made when the cache lacks it. Returns its path. */
export async function buildLayer(name: string, layer: LayerPlan, index: number, log: Log): Promise<string> {
  const dir = join(cacheRoot(), 'images', 'layers');
  const file = join(dir, `${name}-${index}-${layer.hash}.tar`);
  if (existsSync(file)) return file;
  const started = Date.now();
  const work = join(dir, `${name}-${index}.work-${process.pid}`);
  await rm(work, { recursive: true, force: true });
  try {
    const rootfs = join(work, 'rootfs');
    await mkdir(rootfs, { recursive: true });
    await populate(rootfs, name, layer.steps, work, log);
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
