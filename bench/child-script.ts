import path from 'node:path';

/**
 * How to start one of the benchmark's scripts in a child process: compiled (`dist-bench/`,
 * what `npm run bench` runs) with node alone, as a Functions worker runs the app; from the
 * sources (the benchmark's own tests) through tsx.
 */
export function scriptArgs(dir: string, name: string): string[] {
  return fromSources() ? ['--import', 'tsx', path.join(dir, `${name}.ts`)] : [path.join(dir, `${name}.js`)];
}

export function fromSources(): boolean {
  return path.extname(__filename) === '.ts';
}

/** The repository's root (host.json, local.settings.sample.json), from the sources or from `dist-bench/`. */
export const REPO_ROOT = path.resolve(__dirname, fromSources() ? '..' : '../..');
