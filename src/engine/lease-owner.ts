/**
 * Lease owners are `<host>:<pid>:<nonce>`. A lease held by a process of this machine that no
 * longer exists can be taken at once instead of waiting for it to expire.
 */
import { hostname } from 'node:os';

export function leaseOwnerIsDead(owner: string): boolean {
  const [host, pid] = owner.split(':');
  if (host !== hostname() || pid === undefined || Number(pid) === process.pid) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
