// Runs the CLI from one esbuild bundle of src/ rather than through tsx's loader.
//
// Why: tsx resolves and loads each of the ~1,150 source modules through a loader thread, one
// round trip at a time, which was most of every command's start. One bundled file loads in a
// fraction of that. There is still no build step to remember: the bundle is rebuilt here whenever
// a source it was built from changed (mtime or size), so an edited checkout runs what it holds.
//
// The bundle lives in .build/ (ignored by git), named by a hash of its content; the manifest,
// written last, names the bundle it describes, so a reader never pairs one builder's bundle with
// another's manifest (tests start several CLIs at once on a fresh checkout). Where .build/ cannot
// be written, or the build fails, the CLI runs through tsx as before.
import { createHash } from 'node:crypto';
import {
  accessSync,
  constants,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = join(ROOT, '.build');
const MANIFEST = join(OUT_DIR, 'cli.inputs.json');
/** Besides the sources: what changes how they are built. */
const BUILD_FILES = ['package.json', 'package-lock.json', 'tsconfig.json', 'bin/cli-bundle.js'];
/** An older bundle is deleted once a newer one has been named this long (readers are done). */
const OLD_BUNDLE_MS = 10 * 60_000;

const stamp = (file) => {
  const s = statSync(join(ROOT, file));
  return { mtimeMs: s.mtimeMs, size: s.size };
};

/** The bundle to run, when every file it was built from is as it was then; else null. */
function freshBundle() {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(MANIFEST, 'utf8'));
    // Built in another place (a moved or copied checkout): its sources' URLs are written in.
    if (manifest.root !== ROOT) return null;
    statSync(join(OUT_DIR, manifest.bundle));
  } catch {
    return null;
  }
  for (const [file, seen] of Object.entries(manifest.inputs)) {
    try {
      const now = stamp(file);
      if (now.mtimeMs !== seen.mtimeMs || now.size !== seen.size) return null;
    } catch {
      return null;
    }
  }
  return join(OUT_DIR, manifest.bundle);
}

/**
 * Stamps each source before reading it (a file saved during the build is then seen as changed on
 * the next run, not recorded as read), and writes each source's own URL in for import.meta.url:
 * sources find files beside them that way (the triage model, a worker's entry module), which in
 * the bundle would otherwise name the bundle.
 */
function sourcesPlugin(stamps) {
  return {
    name: 'stamped-sources',
    setup(build) {
      build.onLoad({ filter: /\.[cm]?[jt]s$/ }, (args) => {
        const rel = args.path.startsWith(ROOT) ? args.path.slice(ROOT.length + 1) : null;
        if (rel === null || rel.startsWith('node_modules')) return undefined;
        stamps[rel] = stamp(rel);
        const text = readFileSync(args.path, 'utf8');
        const url = JSON.stringify(pathToFileURL(args.path).href);
        const loader = args.path.endsWith('ts') ? 'ts' : 'js';
        return { contents: text.replaceAll('import.meta.url', url), loader };
      });
    },
  };
}

/** Writes a file under a temporary name and renames it: readers see all of it or none. */
function put(path, contents) {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, path);
}

async function build() {
  const esbuild = await import('esbuild');
  const inputs = {};
  for (const file of BUILD_FILES) inputs[file] = stamp(file);
  const stamps = {};
  const result = await esbuild.build({
    entryPoints: [join(ROOT, 'src/cli.ts')],
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Packages load from node_modules as they would through tsx (native modules, their files).
    packages: 'external',
    outfile: join(OUT_DIR, 'cli.mjs'),
    write: false,
    // Stack traces name the TypeScript sources (source maps are turned on before loading).
    sourcemap: 'linked',
    keepNames: true,
    metafile: true,
    logLevel: 'silent',
    plugins: [sourcesPlugin(stamps)],
  });
  for (const file of Object.keys(result.metafile.inputs))
    inputs[file] = stamps[file] ?? stamp(file);
  const code = result.outputFiles.find((f) => f.path.endsWith('.mjs'));
  const map = result.outputFiles.find((f) => f.path.endsWith('.map'));
  const hash = createHash('sha256').update(code.contents).digest('hex').slice(0, 16);
  const name = `cli-${hash}.mjs`;
  put(join(OUT_DIR, `${name}.map`), map.contents);
  put(
    join(OUT_DIR, name),
    code.text.replace(/sourceMappingURL=cli\.mjs\.map\s*$/, `sourceMappingURL=${name}.map\n`),
  );
  put(MANIFEST, JSON.stringify({ root: ROOT, bundle: name, inputs }));
  dropOldBundles(name);
  return join(OUT_DIR, name);
}

function dropOldBundles(keep) {
  const now = Date.now();
  for (const f of readdirSync(OUT_DIR)) {
    if (!f.startsWith('cli-') || f.startsWith(keep)) continue;
    try {
      if (now - statSync(join(OUT_DIR, f)).mtimeMs > OLD_BUNDLE_MS) unlinkSync(join(OUT_DIR, f));
    } catch {
      // Another process dropped it first.
    }
  }
}

function writable() {
  try {
    mkdirSync(OUT_DIR, { recursive: true });
    accessSync(OUT_DIR, constants.W_OK);
    return true;
  } catch {
    return false;
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
  let bundle = freshBundle();
  if (!bundle) {
    if (!writable()) return viaTsx();
    try {
      bundle = await build();
    } catch {
      return viaTsx();
    }
  }
  process.setSourceMapsEnabled(true);
  await import(pathToFileURL(bundle).href);
}
