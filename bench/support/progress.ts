/** Human-readable progress goes to stderr: stdout carries only the final JSON. */
export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}
