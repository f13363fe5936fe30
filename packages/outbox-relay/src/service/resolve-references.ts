/** Where `${NAME}` references and `<name>File` secrets are read from: the process in production, fixtures in tests. */
export interface ReferenceSources {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads a whole file as UTF-8; throws when it cannot. */
  readFile(path: string): string;
}

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Replaces every `${NAME}` in `text` with the environment variable's value (set but empty counts:
 * a root user without a password is real). Returns the names that are not set instead of
 * guessing a value for them. Values are inserted as they are, never expanded again.
 */
export function substituteEnv(text: string, env: ReferenceSources['env']): { text: string; missing: string[] } {
  const missing: string[] = [];
  const result = text.replace(REFERENCE, (_, name: string) => {
    const value = env[name];
    if (value === undefined) {
      missing.push(name);
      return '';
    }
    return value;
  });
  return { text: result, missing };
}

/**
 * A secret file's content without the one trailing newline editors and `echo` add; Kubernetes
 * and systemd credentials are mounted as such files.
 */
export function readSecretFile(path: string, sources: ReferenceSources): string {
  return sources.readFile(path).replace(/\r?\n$/, '');
}
