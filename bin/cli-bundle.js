// Runs the CLI from one esbuild bundle of src/ rather than through tsx's loader.
//
// Why: tsx resolves and loads each of the ~1,150 source modules through a loader thread, one
// round trip at a time, which was most of every command's start. One bundled file loads in a
// fraction of that. There is still no build step to remember: the bundle is rebuilt here whenever
// a source it was built from changed (mtime or size), so an edited checkout runs what it holds.
//
// The bundle lives in .build/ (ignored by git). Several processes may start at once on a fresh
// checkout (tests do): each builds under its own temporary name and renames, so no reader sees a
// half-written file. If the bundle cannot be built, the CLI runs through tsx as before.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = join(ROOT, '.build');
const BUNDLE = join(OUT_DIR, 'cli.mjs');
const MANIFEST = join(OUT_DIR, 'cli.inputs.json');

/** True when every source the bundle was built from is as it was then. */
function fresh() {
  let inputs;
  try {
    inputs = JSON.parse(readFileSync(MANIFEST, 'utf8')).inputs;
    statSync(BUNDLE);
  } catch {
    return false;
  }
  for (const [file, seen] of Object.entries(inputs)) {
    try {
      const s = statSync(join(ROOT, file));
      if (s.mtimeMs !== seen.mtimeMs || s.size !== seen.size) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/**
 * Sources find files beside them through import.meta.url (the triage model, a worker's entry
 * module). In the bundle that would name the bundle, so each source gets its own URL written in.
 */
const ownImportMetaUrl = {
  name: 'own-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const url = JSON.stringify(pathToFileURL(args.path).href);
      return { contents: text.replaceAll('import.meta.url', url), loader: 'ts' };
    });
  },
};

async function build() {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [join(ROOT, 'src/cli.ts')],
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Packages load from node_modules as they would through tsx (native modules, their files).
    packages: 'external',
    outfile: BUNDLE,
    write: false,
    // Stack traces name the TypeScript sources (source maps are turned on before loading).
    sourcemap: 'linked',
    keepNames: true,
    metafile: true,
    logLevel: 'silent',
    plugins: [ownImportMetaUrl],
  });
  const inputs = {};
  for (const file of Object.keys(result.metafile.inputs)) {
    const s = statSync(join(ROOT, file));
    inputs[file] = { mtimeMs: s.mtimeMs, size: s.size };
  }
  mkdirSync(OUT_DIR, { recursive: true });
  // The map before the bundle, the manifest last: what `fresh` accepts is complete.
  const files = [...result.outputFiles].sort((a) => (a.path.endsWith('.map') ? -1 : 1));
  for (const { path, contents } of [
    ...files,
    { path: MANIFEST, contents: JSON.stringify({ inputs }) },
  ]) {
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, contents);
    renameSync(tmp, path);
  }
}

async function viaTsx() {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli.ts');
}

/** THROUGHLINE_NO_BUNDLE=1 runs the sources through tsx (when looking into the bundle itself). */
export async function runCli() {
  if (process.env.THROUGHLINE_NO_BUNDLE === '1') return viaTsx();
  try {
    if (!fresh()) await build();
  } catch {
    return viaTsx();
  }
  process.setSourceMapsEnabled(true);
  await import(pathToFileURL(BUNDLE).href);
}
