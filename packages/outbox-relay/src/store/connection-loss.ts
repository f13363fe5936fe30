/**
 * Errors that say a pooled connection died under a statement (killed by an operator or a proxy,
 * dropped by the network, closed by a server restart), not that the statement or the server's
 * address is wrong: the next statement gets a fresh connection from the pool, so trying again is
 * the right answer. A refused or unresolvable address is left out on purpose: that is a wrong or
 * stopped database, which a start-up check must report at once.
 */
const LOST_SOCKET_CODES = new Set(['PROTOCOL_CONNECTION_LOST', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);
/** MySQL/MariaDB: the server killed the connection (ER_CONNECTION_KILLED, ER_SERVER_SHUTDOWN). */
const KILLED_ERRNOS = new Set([1927, 1053]);
/** PostgreSQL SQLSTATE class 08 (connection exception) and 57P01-57P03 (admin or crash shutdown). */
const PG_LOST_STATE = /^(08|57P0[123])/;
const PG_TERMINATED = /^Connection terminated/;

export function isConnectionLoss(error: unknown): boolean {
  const candidate = error as { code?: unknown; errno?: unknown; message?: unknown } | null;
  if (typeof candidate !== 'object' || candidate === null) return false;
  const { code, errno, message } = candidate;
  if (typeof code === 'string' && (LOST_SOCKET_CODES.has(code) || PG_LOST_STATE.test(code))) return true;
  if (typeof errno === 'number' && KILLED_ERRNOS.has(errno)) return true;
  return typeof message === 'string' && PG_TERMINATED.test(message);
}

/**
 * Runs a read-only operation again, up to `attempts` times in all with a short growing pause,
 * while it fails by connection loss; any other error, or the last loss, is thrown as it is.
 */
export async function retryOnConnectionLoss<T>(operation: () => Promise<T>, attempts = 4, pauseMs = 100): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (!isConnectionLoss(error) || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, pauseMs * attempt));
    }
  }
}
