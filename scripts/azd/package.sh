#!/usr/bin/env bash
# azd prepackage hook of the "sync" service: builds the app and stages what the function app runs, the same set as
# .funcignore keeps, in dist/azd-package (the service's "dist"). The staged package.json has no scripts and no
# devDependencies, so the remote build installs the runtime dependencies only and compiles nothing.
set -euo pipefail
cd "$(dirname "$0")/../.."

npm ci --no-audit --no-fund
npm run build

stage=dist/azd-package
rm -rf "$stage"
mkdir -p "$stage/dist"
cp host.json package-lock.json "$stage/"
cp -R dist/functions dist/shared "$stage/dist/"
find "$stage/dist" -name '*.js.map' -delete
node -e '
  const fs = require("node:fs");
  const { name, version, description, main, engines, dependencies } = require("./package.json");
  const staged = { name, version, private: true, description, main, engines, dependencies };
  fs.writeFileSync(process.argv[1], JSON.stringify(staged, null, 2) + "\n");
' "$stage/package.json"
echo "staged $(find "$stage" -type f | wc -l | tr -d ' ') files in $stage"
