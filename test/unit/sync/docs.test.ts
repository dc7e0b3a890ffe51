import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderTruthTable } from '../../../shared/sync/truth-table';

test('docs/sync-engine.md shows the truth table the code runs', () => {
  const doc = readFileSync(join(__dirname, '../../../docs/sync-engine.md'), 'utf8');
  expect(doc).toContain(renderTruthTable());
});
