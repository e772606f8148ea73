// Another project's file, read from its module on the Go module proxy at a pinned version: the CRDs
// the charts are tested against stay that project's, with no copy of them in this repository.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { downloadModule } from '../../tools/testcluster/src/go-build.ts';
import { findGo } from '../../tools/testcluster/src/go-toolchain.ts';
import { cacheRoot } from '../../tools/testcluster/src/paths.ts';

export async function goModuleFile(moduleAtVersion: string, path: string): Promise<string> {
  const toolchain = await findGo();
  // Logs only on failure, which downloadModule throws with the reason.
  const { Dir } = await downloadModule(toolchain, moduleAtVersion, join(cacheRoot(), 'go-modules'), () => {});
  return readFile(join(Dir, path), 'utf8');
}
