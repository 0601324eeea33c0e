/**
 * Signals a check's whole process group. Checks are spawned detached, so the check is the
 * leader of its own group and `-pid` reaches its children and grandchildren too (a test
 * runner's workers, a `sleep &` in a shell script) — killing only the pid would leave them running.
 */
export function signalProcessGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    // Windows has no process groups; the best available is the process itself.
    process.kill(process.platform === 'win32' ? pid : -pid, signal);
    return true;
  } catch (error) {
    // ESRCH: the group is already gone, which is what we wanted.
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    if ((error as NodeJS.ErrnoException).code === 'EPERM') return false;
    throw error;
  }
}
