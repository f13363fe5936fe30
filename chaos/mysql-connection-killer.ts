/**
 * KILLs the relays' MySQL connections, as a failover of the database or a DBA's KILL would: every
 * connection to this run's database except the ones this process opened (the row feeder's and the
 * audit's, whose thread ids it records as they connect). The admin connection used for the KILLs
 * has no default database, so it never matches.
 */
import mysql, { type Connection, type ConnectionOptions, type Pool, type RowDataPacket } from 'mysql2/promise';

export class MysqlConnectionKiller {
  private readonly spared = new Set<number>();

  private constructor(
    private readonly admin: Connection,
    private readonly database: string,
  ) {}

  /** `server`: the server's connection options without a database. */
  static async open(server: ConnectionOptions, database: string): Promise<MysqlConnectionKiller> {
    return new MysqlConnectionKiller(await mysql.createConnection(server), database);
  }

  /** Never kill this pool's connections; call before the pool's first query. */
  spare(pool: Pool): void {
    pool.on('connection', (connection) => this.spared.add(connection.threadId));
  }

  /** Kills the relays' connections now; returns how many. */
  async killRelayConnections(): Promise<number> {
    const [rows] = await this.admin.query<RowDataPacket[]>('SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = ?', [this.database]);
    let killed = 0;
    for (const id of rows.map((row) => Number(row['id'])).filter((id) => !this.spared.has(id))) {
      try {
        await this.admin.query('KILL CONNECTION ?', [id]);
        killed += 1;
      } catch (error) {
        // Gone between the SELECT and the KILL: that connection is closed either way.
        if ((error as { code?: string }).code !== 'ER_NO_SUCH_THREAD') throw error;
      }
    }
    return killed;
  }

  async close(): Promise<void> {
    await this.admin.end();
  }
}
