import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/** CPU time used so far by this process and by its child processes (Azurite, the fakes), in ms. */
export interface CpuTime {
  selfMs: number;
  /** Undefined where /proc cannot be read (not Linux). */
  childrenMs: number | undefined;
}

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** utime + stime and the parent pid from /proc/<pid>/stat (fields after the parenthesised command name). */
function statOf(pid: string): { ppid: number; ticks: number } | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}

/** CPU time used so far by one process (not its children), in ms; undefined where /proc cannot be read. */
export function processCpuMs(pid: number): number | undefined {
  const stat = statOf(String(pid));
  return stat && (stat.ticks * 1000) / clockTicks();
}

function childrenMs(): number | undefined {
  if (process.platform !== 'linux') return undefined;
  let ticks = 0;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = statOf(entry);
    if (stat?.ppid === process.pid) ticks += stat.ticks;
  }
  return (ticks * 1000) / clockTicks();
}

export function cpuTime(): CpuTime {
  const usage = process.cpuUsage();
  return { selfMs: (usage.user + usage.system) / 1000, childrenMs: childrenMs() };
}
