import type { RunningLocalHost } from '../dev/host/local-host.js';
import type { Run } from '../shared/domain/run.js';

/** The benchmark talks to the app as a client would: over HTTP. */
export async function api<T>(host: RunningLocalHost, method: string, route: string, body?: unknown): Promise<T> {
  const response = await fetch(`${host.url}/api${route}`, {
    method,
    // JSON also on body-less POSTs: the API's CSRF defence asks for it (or X-Requested-With).
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${route} answered ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

const TERMINAL = ['succeeded', 'partially-succeeded', 'failed', 'skipped'];

/** Polls until a run of the export that is not in `seen` has ended. */
export async function waitForRun(host: RunningLocalHost, exportId: string, seen: Set<string> = new Set()): Promise<Run> {
  for (let dropped = 0; ; ) {
    // A poll whose kept-alive connection the host closed while its thread was busy (a long
    // ledger commit) fails without an answer: the next poll opens another.
    const page = await api<{ items: Run[] }>(host, 'GET', `/exports/${exportId}/runs`).catch((error: unknown) => {
      if (!(error instanceof TypeError) || ++dropped > 5) throw error;
      return { items: [] as Run[] };
    });
    const run = page.items.find((r) => !seen.has(r.id) && TERMINAL.includes(r.status));
    if (run) return run;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Waits for the export's next finished run, sampling this process's peak RSS meanwhile. */
export async function waitForRunMeasuringRss(host: RunningLocalHost, exportId: string, seen: Set<string> = new Set()): Promise<{ run: Run; peakRssMb: number }> {
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 50);
  try {
    const run = await waitForRun(host, exportId, seen);
    return { run, peakRssMb: Math.round(peakRss / 2 ** 20) };
  } finally {
    clearInterval(sampler);
  }
}
