import { existsSync } from 'node:fs';
import { type App, buildApp } from '../app.js';
import { type Config, ConfigError, loadConfig } from '../config.js';
import { createLogger } from '../platform/logging.js';

/** Loads config or exits with every problem listed (never starts on a bad config). */
export function configOrExit(overrides: Partial<Config> = {}): Config {
  try {
    return loadConfig(process.env, overrides);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

/**
 * Builds the app for a one-shot command: migrations applied, no HTTP listener, no background
 * workers (commands drive the pipeline themselves), logs to stderr so stdout stays clean.
 */
export async function withApp<T>(
  fn: (app: App) => Promise<T>,
  opts: { existing?: boolean } = {},
): Promise<T> {
  const config = configOrExit();
  // Commands that read or change what a desk holds (problems, parked events) on a SQLite file
  // that is not there: a mistyped path, said as such, not a new empty desk that lists nothing.
  const file = config.databaseUrl.startsWith('sqlite:') ? config.databaseUrl.slice(7) : null;
  if (opts.existing && file && file !== ':memory:' && !existsSync(file))
    throw new Error(
      `no desk at ${file}: the database file does not exist (check THROUGHLINE_DATABASE_URL, or start the desk once with npm start)`,
    );
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, {
    destination: 2,
  });
  const app = await buildApp({
    config: { ...config, pipeline: { ...config.pipeline, workers: false } },
    logger,
    serves: false,
  });
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}
