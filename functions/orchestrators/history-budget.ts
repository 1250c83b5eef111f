/**
 * Send rounds in one execution of a run (a window of sends, or a wait for one). A paced round
 * adds about eight events to the history, and every episode replays the whole history, so a
 * run's cost grew with the square of its rounds (a million rows paced at 5 requests a second
 * is thousands of rounds). After this many the run continues as new from where its send stage
 * stopped (`SendResume` in export-run.ts). Apart from the orchestration, so tests can read it
 * without registering it.
 */
export const SEND_ROUNDS_PER_EXECUTION = 25;
