/**
 * Creates the example's database and tables on the server SHARDFLOW_DATABASE_URL names (idempotent),
 * before the services start: they check the tables but never create them.
 */
import { migrate } from './database.js';
import { databaseUrlOf, readEnvironment } from './environment.js';

const environment = readEnvironment();
await migrate(environment);
process.stdout.write(`migrated ${databaseUrlOf(environment).replace(/:[^:@/]*@/, ':***@')}\n`);
