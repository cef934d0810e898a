import { cpus, loadavg, totalmem } from 'node:os';

/** One line describing the machine, printed with every benchmark result. */
export function describeMachine(): string {
  const c = cpus();
  return `${c.length} × ${c[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, ${process.platform}/${process.arch}; ${machineLoad()}`;
}

/** The load averages (1, 5, 15 min): on a shared machine, figures mean little without them. */
export function machineLoad(): string {
  return `load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

/** Samples RSS every 100 ms; returns the peak in MiB when stopped. */
export function memorySampler(): () => number {
  let peak = process.memoryUsage().rss;
  const t = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  return () => {
    clearInterval(t);
    return Math.round(Math.max(peak, process.memoryUsage().rss) / 2 ** 20);
  };
}
