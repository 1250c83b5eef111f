import type { ChildProcess } from 'node:child_process';

/** Sends `signal` to a host process started by a test and waits for it to exit (nothing to do when it already has). */
export async function stopProcess(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}
