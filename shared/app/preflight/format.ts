import type { PreflightResult } from './types';

/** One line per check: a mark (✓ passed, ! warning, ✗ failed, – skipped), the title, what was found, the fix. */
export function formatPreflightLine(r: PreflightResult): string {
  const mark = r.skipped ? '–' : r.ok === true ? '✓' : r.ok === 'warn' ? '!' : '✗';
  return `${mark} ${r.title}: ${r.detail}${r.fix ? ` — fix: ${r.fix}` : ''}`;
}
