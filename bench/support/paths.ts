import path from 'node:path';

/** The repository root, seen from dist/bench/support (the compiled location of this file). */
export const APP_ROOT = path.resolve(__dirname, '..', '..', '..');

export const RESULTS_FILE = path.join(APP_ROOT, 'bench', 'results', 'latest.json');
