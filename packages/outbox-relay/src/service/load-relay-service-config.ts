import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { InvalidRelayServiceConfigError } from '../errors/invalid-relay-service-config-error.js';
import type { ReferenceSources } from './resolve-references.js';
import type { RelayServiceConfig } from './relay-service-config.js';
import { validateRelayServiceConfig } from './validate-relay-service-config.js';

/** The running process's environment and file system. */
export const PROCESS_SOURCES: ReferenceSources = {
  env: process.env,
  readFile: (path) => readFileSync(path, 'utf8'),
};

/**
 * Reads a relay service's YAML file and validates it (validateRelayServiceConfig). An unreadable
 * file or broken YAML is an InvalidRelayServiceConfigError too, naming the line.
 */
export async function loadRelayServiceConfig(path: string, sources: ReferenceSources = PROCESS_SOURCES): Promise<RelayServiceConfig> {
  let text: string;
  try {
    text = sources.readFile(path);
  } catch (error) {
    throw new InvalidRelayServiceConfigError(path, [{ field: '(file)', value: path, message: `cannot be read: ${(error as Error).message}` }]);
  }
  return parseRelayServiceConfig(text, path, sources);
}

/** The same from the file's text; `source` names it in messages. */
export async function parseRelayServiceConfig(text: string, source: string, sources: ReferenceSources = PROCESS_SOURCES): Promise<RelayServiceConfig> {
  const document = parseDocument(text, { uniqueKeys: true });
  // Later syntax errors are mostly echoes of the first: it alone is reported, with its line.
  const [error] = document.errors;
  if (error) {
    const at = error.linePos?.[0];
    throw new InvalidRelayServiceConfigError(source, [{
      field: at ? `(yaml line ${at.line}, column ${at.col})` : '(yaml)',
      value: at ? text.split('\n')[at.line - 1]?.trim() : undefined,
      message: error.message.split('\n')[0] ?? error.code,
    }]);
  }
  return validateRelayServiceConfig(document.toJS(), sources, source);
}
