import { startPipeline } from '../pipeline/start-pipeline';
import { progress } from '../support/progress';
import { round } from '../support/stats';
import { measureIdlePolls, type IdlePollFigures, type IdlePollOptions } from './mail-idle-poll';
import { measureLargeMail, type LargeMailOptions, type MailMemoryFigure } from './mail-memory';
import {
  measureMailPropagation,
  type MailPropagationFigures,
  type MailPropagationOptions,
} from './mail-propagation';
import { measureMailThroughput, type MailBurstOptions, type MailThroughputFigures } from './mail-throughput';

export interface MailSettings {
  users: number;
  /** MAIL_POLL_SECONDS of the app under test (its smallest allowed value: propagation waits for the poll). */
  pollSeconds: number;
  propagation: MailPropagationOptions;
  idlePoll: IdlePollOptions;
  throughput: MailBurstOptions;
  memory: LargeMailOptions;
}

export interface MailFigures {
  users: number;
  propagation: MailPropagationFigures;
  idlePoll: IdlePollFigures;
  throughput: MailThroughputFigures;
  memory: MailMemoryFigure;
  /** Budgets as the figures were judged against them. */
  budgets: {
    propagationOutlookToDingtalk: { p50Ms: number; p99Ms: number; met: boolean };
    propagationDingtalkToOutlook: { p99Ms: number; met: boolean };
    idlePollsPerSecond: { min: number; met: boolean };
    peakRssMb: { max: number; met: boolean };
  };
  hostLog: { warnings: number; errors: number };
  phaseSeconds: number;
}

/**
 * The mail figures on a pipeline of their own: the whole product with SYNC_KINDS=mail, the sandbox DingTalk Mail
 * server and the Key Vault in the fakes' process, every person paired with a mailbox and an app password, each
 * mailbox's poll chain running. Idle polls first (nothing has arrived yet), then propagation with latency, then
 * throughput and the large mail with none.
 */
export async function measureMail(settings: MailSettings): Promise<MailFigures> {
  const started = performance.now();
  const p = await startPipeline(settings.users, { mail: { pollSeconds: settings.pollSeconds } });
  const interrupted = () => void p.stop().finally(() => process.exit(130));
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    progress(`mail: ${settings.users} mailboxes paired, polled every ${settings.pollSeconds} s`);
    const idlePoll = await measureIdlePolls(p, settings.idlePoll);
    const propagation = await measureMailPropagation(p, settings.propagation);
    const throughput = await measureMailThroughput(p, settings.throughput);
    const memory = await measureLargeMail(p, settings.memory);
    const o2d = propagation.outlookToDingtalk;
    const d2o = propagation.dingtalkToOutlook;
    return {
      users: settings.users,
      propagation,
      idlePoll,
      throughput,
      memory,
      budgets: {
        propagationOutlookToDingtalk: { ...o2d.budget, met: o2d.withinBudget },
        propagationDingtalkToOutlook: { p99Ms: d2o.budget.p99Ms, met: d2o.withinBudget },
        idlePollsPerSecond: { min: idlePoll.budgetPollsPerSecond, met: idlePoll.withinBudget },
        peakRssMb: { max: memory.budgetMb, met: memory.withinBudget },
      },
      hostLog: p.hostLog(),
      phaseSeconds: round((performance.now() - started) / 1000),
    };
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await p.stop();
  }
}
