/**
 * The line `main.ts` prints after the last app setting: a program that reads the settings
 * (the benchmark) waits for it, since settings that arrive in a later chunk than the others
 * would otherwise be missed. A module of its own, so that reading it loads no simulator.
 */
export const SETTINGS_END = '# end of settings';
