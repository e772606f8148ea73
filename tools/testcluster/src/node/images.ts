// Images without a registry: each recipe (images/<name>/image.json) becomes an OCI image archive,
// cached by a hash of the recipe and of every file it takes from the host, and imported into the
// node's containerd only when containerd lacks that exact image.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatDuration, type Log } from '../log.ts';
import { cacheRoot } from '../paths.ts';
import { capture, runLogged } from '../run.ts';

export const IMAGES_DIR = fileURLToPath(new URL('../../images/', import.meta.url));

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
  | { debian: { suite: string; packages: string[]; script?: string } };

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

export async function readRecipes(): Promise<Map<string, ImageRecipe>> {
  const recipes = new Map<string, ImageRecipe>();
  for (const name of (await readdir(IMAGES_DIR)).sort()) {
    const file = join(IMAGES_DIR, name, 'image.json');
    if (!existsSync(file)) continue;
    const recipe = JSON.parse(await readFile(file, 'utf8')) as ImageRecipe;
    recipes.set(name, recipe);
  }
  return recipes;
}

/** Where a copy step's file is on this machine. */
export function copySource(name: string, step: { copy: string; package?: string }): string {
  return step.package ? step.copy : join(IMAGES_DIR, name, step.copy);
}

/**
 * The same recipe as a Dockerfile, for a user with Docker: files the node takes from Debian's
 * packages come from a Debian stage that installs the same packages.
 */
export function renderDockerfile(recipe: ImageRecipe): string {
  const lines = [
    '# syntax=docker/dockerfile:1',
    `# Rendered from image.json by \`npm run cluster:dockerfiles\`; edit that instead.`,
  ];
  const hostPackages = recipe.steps.flatMap((step) => ('copy' in step && step.package ? [step.package] : []));
  if (hostPackages.length > 0) {
    lines.push(
      'FROM debian:bookworm-slim AS packages',
      `RUN apt-get update && apt-get install -y --no-install-recommends ${[...new Set(hostPackages)].join(' ')}`,
      '',
    );
  }
  const debian = recipe.steps.find((step) => 'debian' in step);
  lines.push(debian ? `FROM debian:${debian.debian.suite}-slim` : 'FROM scratch');
  for (const step of recipe.steps) {
    if ('debian' in step) {
      const { packages, script } = step.debian;
      lines.push(
        'RUN apt-get update \\',
        `  && apt-get install -y --no-install-recommends ${packages.join(' ')} \\`,
        ...(script ? [`  && sh -ec ${JSON.stringify(script)} \\`] : []),
        '  && rm -rf /var/lib/apt/lists/*',
      );
    } else if ('copy' in step) {
      const mode = `--chmod=${step.mode ?? '0755'}`;
      lines.push(
        step.package
          ? `COPY --from=packages ${mode} ${step.copy} ${step.to}`
          : `COPY ${mode} ${step.copy} ${step.to}`,
      );
    } else if ('write' in step) {
      lines.push(`COPY --chmod=${step.mode ?? '0644'} <<'EOF' ${step.write}`, step.content.trimEnd(), 'EOF');
    } else {
      lines.push('RUN ["/bin/busybox", "--install", "-s", "/bin"]');
    }
  }
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
    const file = join(IMAGES_DIR, name, 'Dockerfile');
    const text = renderDockerfile(recipe);
    if ((await readFile(file, 'utf8').catch(() => '')) !== text) {
      await writeFile(file, text);
      changed.push(file);
    }
  }
  return changed;
}

/** A hash of everything that makes the image: the recipe and the bytes of each host file it copies. */
/** Bumped when the way images are made changes, so cached archives are made again. */
const BUILDER_VERSION = 2;

export async function recipeHash(name: string, recipe: ImageRecipe): Promise<string> {
  const hash = createHash('sha256').update(`${BUILDER_VERSION}\n${JSON.stringify(recipe)}`);
  for (const step of recipe.steps) if ('copy' in step) hash.update(await readFile(copySource(name, step)));
  return hash.digest('hex').slice(0, 16);
}

const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

async function populate(rootfs: string, name: string, recipe: ImageRecipe, log: Log): Promise<void> {
  for (const step of recipe.steps) {
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
        { label: `image ${recipe.repository} (mmdebstrap)`, log },
      );
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

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
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
    const rootfs = join(work, 'rootfs');
    await mkdir(rootfs, { recursive: true });
    await populate(rootfs, name, recipe, log);
    const layout = join(work, 'oci');
    await mkdir(join(layout, 'blobs', 'sha256'), { recursive: true });
    const layerFile = join(work, 'layer.tar');
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
        layerFile,
        '.',
      ],
      { label: `image ${recipe.repository} (layer)`, log },
    );
    const layer = await readFile(layerFile);
    const layerDigest = sha256(layer);
    const blob = async (data: Buffer) => {
      const digest = sha256(data);
      await writeFile(join(layout, 'blobs', 'sha256', digest.slice('sha256:'.length)), data);
      return { digest, size: data.length };
    };
    await rename(layerFile, join(layout, 'blobs', 'sha256', layerDigest.slice('sha256:'.length)));
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
        rootfs: { type: 'layers', diff_ids: [layerDigest] },
        history: [{ created_by: `storefleet image recipe ${name}` }],
      }),
    );
    const configBlob = await blob(config);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...configBlob },
        layers: [
          { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerDigest, size: layer.length },
        ],
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
    log(`built image ${imageRef(recipe)} in ${formatDuration(Date.now() - started)}`);
    return archive;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Imports each image that the node's containerd does not hold at the archive's digest. */
export async function importImages(socket: string, log: Log): Promise<string[]> {
  const ctr = (args: string[]) => ['--address', socket, '--namespace', 'k8s.io', ...args];
  // One listing: each line is `REF TYPE DIGEST SIZE PLATFORMS LABELS`.
  const listed = (await capture('ctr', ctr(['images', 'ls'])).catch(() => '')).split('\n');
  const refs: string[] = [];
  for (const [name, recipe] of await readRecipes()) {
    const archive = await buildImage(name, recipe, log);
    const ref = imageRef(recipe);
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
