import { ShardflowError } from '@shardflow/core';

/** The console was asked to listen beyond loopback without a secret to check visitors against. */
export class ConsoleAuthRequiredError extends ShardflowError {
  constructor(readonly host: string) {
    super('CONSOLE_AUTH_REQUIRED', `Refusing to listen on ${host} without authentication: set SHARDFLOW_CONSOLE_TOKEN (or SHARDFLOW_CONSOLE_USER and SHARDFLOW_CONSOLE_PASSWORD), or bind to 127.0.0.1`);
  }
}
