/** The demo's own narration, apart from the app's JSON log lines. */
export function say(message: string): void {
  process.stdout.write(`\x1b[36m[demo]\x1b[0m ${message}\n`);
}
