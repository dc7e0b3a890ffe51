import type { ConflictPolicy, Side } from './types';

/**
 * Which side's content wins when both changed since the link. "Newest wins" reads each side's modifiedAt; a tie
 * (or an unreadable time) goes to Outlook so that the answer does not depend on which side was pulled first.
 */
export function chooseWinner(policy: ConflictPolicy, modifiedAt: Record<Side, string | undefined>): Side {
  if (policy === 'prefer-dingtalk') return 'dingtalk';
  if (policy === 'prefer-outlook') return 'outlook';
  const dingtalk = Date.parse(modifiedAt.dingtalk ?? '');
  const outlook = Date.parse(modifiedAt.outlook ?? '');
  if (Number.isNaN(dingtalk)) return 'outlook';
  if (Number.isNaN(outlook)) return 'dingtalk';
  return dingtalk > outlook ? 'dingtalk' : 'outlook';
}
