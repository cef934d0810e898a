import type { Logger } from 'pino';
import type { App } from '../app.js';
import { loadDemo } from './demo.loader.js';

/**
 * Loads the demo on a first start and says so. A demo that fails to load (a database error
 * midway) is logged and reported, and the start goes on: the first start's administrator exists
 * by then, and its one-time password and token are printed only by this start, never again.
 * The desk keeps what was loaded (it is labelled demo); the error says what stopped it.
 */
export async function loadDemoOnFirstStart(
  app: App,
  logger: Logger,
  out: (line: string) => void,
  load: (app: App) => Promise<{ cases: number; messages: number }> = loadDemo,
): Promise<boolean> {
  const t0 = Date.now();
  try {
    const demo = await load(app);
    logger.info(
      { cases: demo.cases, messages: demo.messages, ms: Date.now() - t0 },
      'demo workspace loaded',
    );
    out(
      `Demo workspace loaded: ${demo.cases} cases, ${demo.messages} messages of simulated traffic.`,
    );
    out('  (labelled as demo; set THROUGHLINE_DEMO=false before the first start to begin empty)');
    return true;
  } catch (err) {
    logger.error({ err, ms: Date.now() - t0 }, 'demo workspace failed to load');
    out(`The demo workspace did not load completely: ${(err as Error).message}`);
    out('  (the desk runs without the rest of it; see the log)');
    return false;
  }
}
