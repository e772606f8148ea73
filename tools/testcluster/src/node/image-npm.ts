// The npm steps of an image recipe: one file of a pinned package, a project built on its own layer,
// and a workspace's production dependencies.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, copyFile, cp, mkdir, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import type { Log } from '../log.ts';
import { REPO_ROOT } from '../paths.ts';
import { runLogged } from '../run.ts';
import { projectFiles } from './image-files.ts';
import type { NpmBuild } from './image-recipes.ts';

/** `file` of the npm package `spec` (`name@version`), copied to `target`. */
export async function npmPackageFile(
  spec: string,
  file: string,
  target: string,
  mode: string,
  work: string,
  label: string,
  log: Log,
): Promise<void> {
  const unpacked = join(work, 'npm-package');
  await mkdir(unpacked, { recursive: true });
  const tarball = (
    await runLogged('npm', ['pack', '--silent', spec], { label: `${label} (npm pack)`, log, cwd: unpacked })
  ).trim();
  await runLogged('tar', ['-xzf', tarball, `package/${file}`], {
    label: `${label} (unpack)`,
    log,
    cwd: unpacked,
  });
  await mkdir(dirname(target), { recursive: true });
  await copyFile(join(unpacked, 'package', file), target);
  await chmod(target, Number.parseInt(mode, 8));
}

export async function buildNpmProject(
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

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

/**
 * The workspace folders an install of `project` needs: the project and the workspaces among its
 * dependencies, found through the root's `dir/*` workspace patterns.
 */
export function workspaceFolders(project: string): string[] {
  const patterns = (readJson(join(REPO_ROOT, 'package.json')).workspaces ?? []) as string[];
  const byName = new Map<string, string>();
  for (const pattern of patterns) {
    const parent = pattern.replace(/\/\*$/, '');
    for (const entry of readdirSync(join(REPO_ROOT, parent)).sort()) {
      const manifest = join(REPO_ROOT, parent, entry, 'package.json');
      if (existsSync(manifest)) byName.set(readJson(manifest).name as string, `${parent}/${entry}`);
    }
  }
  const dependencies = readJson(join(REPO_ROOT, project, 'package.json')).dependencies ?? {};
  const siblings = Object.keys(dependencies).flatMap((dependency) => byName.get(dependency) ?? []);
  return [project, ...siblings.sort()];
}

/** The files an install of `project`'s dependencies reads: the root's manifest and lock file, the workspaces'. */
export function dependencyManifests(project: string): string[] {
  return [
    'package.json',
    'package-lock.json',
    ...workspaceFolders(project).map((folder) => `${folder}/package.json`),
  ];
}

/** `project`'s production dependencies, installed in a copy of the manifests, as `rootfs/to`. */
export async function installNpmDependencies(
  name: string,
  project: string,
  rootfs: string,
  to: string,
  work: string,
  log: Log,
): Promise<void> {
  const label = `image ${name} (${project} dependencies)`;
  const root = join(work, 'dependencies');
  for (const file of dependencyManifests(project)) {
    await mkdir(dirname(join(root, file)), { recursive: true });
    await copyFile(join(REPO_ROOT, file), join(root, file));
  }
  // `install`, not `ci`: the copy holds only some workspaces of the lock file. No install scripts:
  // the root's `node` devDependency would fetch a second Node (dev dependencies are left out anyway).
  await runLogged(
    'npm',
    ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--workspace', project],
    { label, log, cwd: root },
  );
  const target = join(rootfs, to);
  await mkdir(dirname(target), { recursive: true });
  await cp(join(root, 'node_modules'), target, { recursive: true, verbatimSymlinks: true });
}
