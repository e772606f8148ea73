// The image's root file system is read-only, and `medusa db:migrate` creates an empty migrations
// folder in every module that lacks one (and fails where it cannot): make them at build time.
const { existsSync, mkdirSync, readdirSync } = require('node:fs');
const { join } = require('node:path');

const scope = join(__dirname, 'node_modules', '@medusajs');
let made = 0;
for (const name of readdirSync(scope)) {
  const dist = join(scope, name, 'dist');
  if (existsSync(dist) && !existsSync(join(dist, 'migrations'))) {
    mkdirSync(join(dist, 'migrations'));
    made += 1;
  }
}
console.log(`made ${made} empty migrations folders for a read-only image`);
