import { startSimulators } from './index.js';
import { SETTINGS_END } from './settings-end.js';

/**
 * Runs the destination simulators on their own, for a demo or an app started by hand:
 *   npx tsx dev/simulators/main.ts [--rate-limits off] [--base-port 7101 | 0 for free ports]
 * Prints the app settings that point the app at them, then a line that says they are all
 * there; Ctrl-C stops them.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string) => {
    const index = args.indexOf(name);
    return index >= 0 ? args[index + 1] : undefined;
  };
  const basePort = Number(option('--base-port') ?? 7101);
  const sims = await startSimulators({
    rateLimits: option('--rate-limits') === 'off' ? 'off' : 'on',
    // Base port 0: a free port each (a benchmark or test that reads the settings printed below).
    ...(basePort === 0 ? {} : { ports: { adroll: basePort, rollworks: basePort + 1, 'microsoft-advertising': basePort + 2, autopilot: basePort + 3, meta: basePort + 5, 'google-ads': basePort + 6, linkedin: basePort + 7, ortto: basePort + 8 } }),
  });
  for (const [name, value] of Object.entries(sims.env)) console.log(`${name}=${value}`);
  // The end of the settings, for a program that reads them (bench/simulator-process.ts).
  console.log(SETTINGS_END);
  const stop = () => {
    sims.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
