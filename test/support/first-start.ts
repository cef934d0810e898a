import type { ChildProcess } from 'node:child_process';

/**
 * What a desk started as a child process (`serve`, `npm start`) prints, collected as it comes,
 * and a wait for the first start's one-time credentials.
 */
export function printedBy(child: ChildProcess) {
  let out = '';
  let err = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    err += d;
  });
  return {
    out: () => out,
    err: () => err,
    /** Resolves once the API token is printed; fails with `failure` if the process ends or `ms` pass first. */
    untilCredentials(ms: number, failure: string) {
      const started = Date.now();
      return new Promise<void>((resolve, reject) => {
        const check = setInterval(() => {
          if (/API token: +tl_/.test(out)) {
            clearInterval(check);
            resolve();
          } else if (child.exitCode !== null || Date.now() - started > ms) {
            clearInterval(check);
            reject(new Error(`${failure}:\n${out}\n${err}`));
          }
        }, 100);
      });
    },
  };
}
