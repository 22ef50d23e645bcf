/**
 * Who holds a lock, and whether that holder still exists: a process id, the host it runs on and,
 * on Linux, the process's start time (so a reused pid is not mistaken for the holder). A lock left
 * by a process killed with SIGKILL is recognised as dead and may be taken over.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

export interface LockOwner {
  pid: number;
  host: string;
  /** Linux: field 22 of /proc/<pid>/stat (clock ticks since boot); '' elsewhere. */
  started: string;
  /** Distinguishes two holders inside one process. */
  token: string;
}

function startTimeOf(pid: number): string | null {
  if (process.platform !== 'linux') return '';
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from its closing ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19] ?? '';
  } catch {
    return null; // no such process
  }
}

export function currentOwner(): LockOwner {
  return {
    pid: process.pid,
    host: hostname(),
    started: startTimeOf(process.pid) ?? '',
    token: randomBytes(8).toString('hex'),
  };
}

/**
 * False only when the holder is certainly gone: same host, and its pid is not running (or runs a
 * different process, started at another time). A holder on another host is assumed alive.
 */
export function ownerAlive(o: Pick<LockOwner, 'pid' | 'host' | 'started'>): boolean {
  if (o.host !== hostname()) return true;
  if (!Number.isInteger(o.pid) || o.pid <= 0) return false;
  try {
    process.kill(o.pid, 0);
  } catch (err) {
    if ((err as { code?: string }).code === 'ESRCH') return false;
    // EPERM: it exists, under another user
  }
  const started = startTimeOf(o.pid);
  if (started === null) return false;
  return o.started === '' || started === '' || started === o.started;
}
