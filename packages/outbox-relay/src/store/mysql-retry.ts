const DEADLOCK = 1213;
const LOCK_WAIT_TIMEOUT = 1205;

function isLockConflict(error: unknown): boolean {
  const errno = (error as { errno?: number } | null)?.errno;
  return errno === DEADLOCK || errno === LOCK_WAIT_TIMEOUT;
}

/**
 * Runs a short statement or transaction again when InnoDB picked it as a deadlock victim or it
 * timed out waiting for a lock: both leave nothing applied, so a retry is safe.
 */
export async function retryOnLockConflict<T>(operation: () => Promise<T>, attempts = 8): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (!isLockConflict(error) || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt + Math.random() * 30));
    }
  }
}
