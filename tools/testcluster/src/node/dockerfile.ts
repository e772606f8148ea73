// An image recipe as a Dockerfile, for users who build the product's images with Docker (k3d, VPS).
import { readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { INSTALLED, TARGET_VERSION } from '../go-build.ts';
import { REPO_ROOT } from '../paths.ts';
import { MIN_GO_VERSION } from '../versions.ts';
import { workspaceFolders } from './image-npm.ts';
import { type ImageRecipe, imageRef, readRecipes, recipeDir } from './image-recipes.ts';

const NODE_IMAGE = 'node:24-bookworm-slim';
const GO_IMAGE = `golang:${MIN_GO_VERSION.join('.')}-bookworm`;

/**
 * The same recipe as a Dockerfile, for a user with Docker, built from the repository root
 * (`docker build -f <recipe folder>/Dockerfile .`): files the node takes from Debian's packages come
 * from a Debian stage that installs the same packages, npm steps from Node stages, Go binaries from a
 * Go stage that builds them as binaries.ts does.
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
    } else if ('goBinary' in step) {
      const [pkg, ldflags] = INSTALLED[step.goBinary](TARGET_VERSION[step.goBinary]);
      lines.push(
        `FROM ${GO_IMAGE} AS go-${index}`,
        `RUN CGO_ENABLED=0 GOBIN=/out go install -trimpath -ldflags="${ldflags}" ${pkg}@${TARGET_VERSION[step.goBinary]}`,
        '',
      );
    } else if ('npmDependencies' in step) {
      const project = step.npmDependencies;
      lines.push(
        `FROM ${NODE_IMAGE} AS npm-${index}`,
        'WORKDIR /build',
        'COPY package.json package-lock.json ./',
      );
      for (const folder of workspaceFolders(project)) lines.push(`COPY ${folder}/package.json ${folder}/`);
      lines.push(
        `RUN npm install --omit=dev --ignore-scripts --no-audit --no-fund --workspace ${project}`,
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
  const runs = recipe.steps.flatMap((step, index) =>
    'buildRun' in step ? [{ run: step.buildRun, index }] : [],
  );
  // With build-time runs, the image's other steps make a stage they run over; the image takes their outputs.
  const base = debian ? `debian:${debian.debian.suite}-slim` : 'scratch';
  lines.push(runs.length > 0 ? `FROM ${base} AS image` : `FROM ${base}`);
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
    } else if ('goBinary' in step) {
      lines.push(`COPY --from=go-${index} /out/${step.goBinary} ${step.to}`);
    } else if ('npmDependencies' in step) {
      lines.push(`COPY --from=npm-${index} /build/node_modules ${step.to}`);
    } else if ('files' in step) {
      for (const path of step.files) lines.push(`COPY ${path} ${join(step.to, path)}`);
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
    } else if ('busyboxApplets' in step) {
      lines.push('RUN ["/bin/busybox", "--install", "-s", "/bin"]');
    }
  });
  for (const { run, index } of runs) {
    lines.push(
      '',
      `FROM image AS run-${index}`,
      'USER root',
      'RUN apt-get update \\',
      `  && apt-get install -y --no-install-recommends ${run.packages.join(' ')} \\`,
      `  && sh -ec ${JSON.stringify(run.script)}`,
    );
  }
  if (runs.length > 0) {
    lines.push('', 'FROM image');
    for (const { run, index } of runs)
      for (const output of run.outputs) lines.push(`COPY --from=run-${index} ${output.from} ${output.to}`);
  }
  const c = recipe.config;
  if (c.env) for (const entry of c.env) lines.push(`ENV ${entry.replace('=', '="')}"`);
  if (c.workingDir) lines.push(`WORKDIR ${c.workingDir}`);
  if (c.exposedPorts) lines.push(`EXPOSE ${c.exposedPorts.join(' ')}`);
  if (c.volumes) lines.push(`VOLUME ${JSON.stringify(c.volumes)}`);
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
