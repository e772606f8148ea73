// Images without a registry: each recipe (image.json) becomes an OCI image archive, cached by a hash
// of the recipe and of every file it takes from the repository or the host, and imported into the
// node's containerd only when containerd lacks that exact image. Test images live in
// tools/testcluster/images, the product's own (the Medusa store, the orchestrator) in images/.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, link, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatDuration, type Log } from '../log.ts';
import { cacheRoot } from '../paths.ts';
import { capture, runLogged } from '../run.ts';
import { buildLayer, isBuildRun, planLayers, recipeHash, removeOlder } from './image-layers.ts';
import { IMAGES_DIR, type ImageRecipe, imageRef, readRecipes, recipeDir } from './image-recipes.ts';

const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;
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
    // The other layers first: a build-time run unpacks them before it runs.
    const files: string[] = [];
    for (const [index, plan] of plans.entries())
      if (!isBuildRun(plan)) files[index] = await buildLayer(name, plan, index, log);
    const others = files.filter((file) => file !== undefined);
    for (const [index, plan] of plans.entries()) {
      const file = files[index] ?? (await buildLayer(name, plan, index, log, others));
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
          ...(c.exposedPorts ? { ExposedPorts: Object.fromEntries(c.exposedPorts.map((p) => [p, {}])) } : {}),
          ...(c.volumes ? { Volumes: Object.fromEntries(c.volumes.map((v) => [v, {}])) } : {}),
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

const ctrArgs = (socket: string, args: string[]) => ['--address', socket, '--namespace', 'k8s.io', ...args];

/** Imports an image archive unless containerd's listing (`ctr images ls`) holds it at the same digest. */
export async function importImage(
  socket: string,
  ref: string,
  archive: string,
  log: Log,
  listed?: string[],
): Promise<void> {
  const lines =
    listed ?? (await capture('ctr', ctrArgs(socket, ['images', 'ls'])).catch(() => '')).split('\n');
  const index = JSON.parse((await capture('tar', ['-xOf', archive, './index.json'])) || '{}') as {
    manifests?: { digest: string }[];
  };
  const digest = index.manifests?.[0]?.digest ?? '';
  // Each line is `REF TYPE DIGEST SIZE PLATFORMS LABELS`.
  const present = lines.some((line) => {
    const [listedRef, , listedDigest] = line.split(/\s+/);
    return listedRef === ref && listedDigest === digest;
  });
  if (!present)
    await runLogged('ctr', ctrArgs(socket, ['images', 'import', archive]), { label: `import ${ref}`, log });
}

/** Imports each image that the node's containerd does not hold at the archive's digest. */
export async function importImages(socket: string, log: Log): Promise<string[]> {
  // One listing for all of them.
  const listed = (await capture('ctr', ctrArgs(socket, ['images', 'ls'])).catch(() => '')).split('\n');
  const refs: string[] = [];
  for (const { ref, archive } of await buildImages(log)) {
    if (!archive) {
      // Never an older copy of an image whose recipe no longer builds.
      await capture('ctr', ctrArgs(socket, ['images', 'rm', ref])).catch(() => '');
      continue;
    }
    await importImage(socket, ref, archive, log, listed);
    refs.push(ref);
  }
  return refs;
}
