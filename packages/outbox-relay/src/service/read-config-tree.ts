import type { ConfigProblem } from '@shardflow/core';
import { closestName } from '../config/reject-unknown-keys.js';
import type { FieldSpec, ListSpec, MapSpec, ObjectSpec, ScalarSpec } from './field-spec.js';
import { readSecretFile, substituteEnv, type ReferenceSources } from './resolve-references.js';

const MASK = '***';

/**
 * Reads a parsed config file against its spec and returns the tree with `${NAME}` references
 * replaced, `<name>File` secrets read, and numbers and booleans written as strings (they come
 * that way from the environment) converted. Reports every problem, each with the field's path:
 * unknown keys (with the known key they are probably a typo of), missing required fields, wrong
 * types, values out of range, unset variables and unreadable files. A field with a problem is
 * left out of the tree; secrets never appear in a problem's value.
 */
export function readConfigTree(value: unknown, spec: FieldSpec, sources: ReferenceSources): { tree: unknown; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const tree = new TreeReader(sources, problems).read(value, spec, '');
  return { tree, problems };
}

class TreeReader {
  constructor(
    private readonly sources: ReferenceSources,
    private readonly problems: ConfigProblem[],
  ) {}

  read(value: unknown, spec: FieldSpec, path: string): unknown {
    switch (spec.kind) {
      case 'object':
        return this.readObject(value, spec, path);
      case 'map':
        return this.readMap(value, spec, path);
      case 'list':
        return this.readList(value, spec, path);
      default:
        return this.readScalar(value, spec, path);
    }
  }

  private problem(field: string, value: unknown, message: string): undefined {
    this.problems.push({ field: field === '' ? '(file)' : field, value, message });
    return undefined;
  }

  private readObject(value: unknown, spec: ObjectSpec, path: string): unknown {
    if (spec.orBoolean && typeof value === 'boolean') return value;
    if (spec.orBoolean && typeof value === 'string') return this.readSwitch(value, path);
    if (!isPlainObject(value)) return this.problem(path, value, spec.orBoolean ? 'must be true, false or a mapping' : 'must be a mapping of keys to values');
    const result: Record<string, unknown> = {};
    const fileKeys = new Set(Object.entries(spec.fields).filter(([, field]) => 'secret' in field && field.secret).map(([name]) => `${name}File`));
    for (const [key, child] of Object.entries(value)) {
      const field = join(path, key);
      const childSpec = Object.hasOwn(spec.fields, key) ? spec.fields[key] : undefined;
      if (childSpec !== undefined) {
        if (child === null || child === undefined) continue;
        const read = this.read(child, childSpec, field);
        if (read !== undefined) result[key] = read;
      } else if (fileKeys.has(key)) {
        const name = key.slice(0, -'File'.length);
        if (value[name] !== undefined && value[name] !== null) this.problem(field, child, `give ${join(path, name)} or ${field}, not both`);
        else {
          const content = this.readSecret(child, field);
          if (content !== undefined) result[name] = content;
        }
      } else {
        const known = [...Object.keys(spec.fields), ...fileKeys];
        const closest = closestName(key, known);
        this.problem(field, child, closest === undefined ? `is not a relay service option; known here: ${known.join(', ')}` : `is not a relay service option; did you mean ${join(path, closest)}?`);
      }
    }
    for (const name of spec.required ?? []) {
      const given = value[name] !== undefined && value[name] !== null;
      if (!given && !(fileKeys.has(`${name}File`) && value[`${name}File`] !== undefined)) this.problem(join(path, name), undefined, 'is required');
    }
    return result;
  }

  /**
   * A section that also takes true or false, written as a string: `${NAME}` lets the environment
   * switch it on and off without a mapping, and the environment only holds strings.
   */
  private readSwitch(raw: string, path: string): boolean | undefined {
    const { text, missing } = substituteEnv(raw, this.sources.env);
    if (missing.length > 0) return this.problem(path, raw, unsetMessage(missing));
    if (text === 'true' || text === 'false') return text === 'true';
    return this.problem(path, text, 'must be true, false or a mapping');
  }

  private readMap(value: unknown, spec: MapSpec, path: string): unknown {
    if (!isPlainObject(value)) return this.problem(path, value, 'must be a mapping of names to entries');
    const entries = Object.entries(value);
    if (entries.length < (spec.minEntries ?? 0)) return this.problem(path, value, `must hold at least ${spec.minEntries} entry`);
    const result: Record<string, unknown> = {};
    for (const [name, child] of entries) {
      const read = this.read(child, spec.each, join(path, name));
      if (read !== undefined) result[name] = read;
    }
    return result;
  }

  private readList(value: unknown, spec: ListSpec, path: string): unknown {
    if (!Array.isArray(value)) return this.problem(path, value, 'must be a list');
    if (value.length < (spec.minItems ?? 0)) return this.problem(path, value, `must hold at least ${spec.minItems} entry`);
    return value.map((child: unknown, index) => this.read(child, spec.each, `${path}[${index}]`));
  }

  private readScalar(raw: unknown, spec: ScalarSpec, path: string): unknown {
    const shown = (value: unknown): unknown => (spec.secret ? MASK : value);
    let value = raw;
    if (typeof raw === 'string') {
      const { text, missing } = substituteEnv(raw, this.sources.env);
      if (missing.length > 0) return this.problem(path, shown(raw), unsetMessage(missing));
      value = text;
    }
    switch (spec.kind) {
      case 'string':
        if (typeof value === 'number' || typeof value === 'boolean') return this.problem(path, shown(value), `must be a string: YAML read a ${typeof value}, quote it`);
        if (typeof value !== 'string') return this.problem(path, shown(value), 'must be a string');
        if (spec.oneOf && !spec.oneOf.includes(value)) return this.problem(path, shown(value), `must be one of ${spec.oneOf.join(', ')}`);
        return value;
      case 'strings':
        return this.readStrings(raw, value, path);
      case 'boolean':
        if (value === 'true' || value === 'false') return value === 'true';
        return typeof value === 'boolean' ? value : this.problem(path, value, 'must be true or false');
      default:
        return this.readNumber(value, spec, path);
    }
  }

  private readNumber(value: unknown, spec: ScalarSpec, path: string): unknown {
    const parsed = typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
    const integral = spec.kind === 'integer';
    if (typeof parsed !== 'number' || !Number.isFinite(parsed) || (integral && !Number.isInteger(parsed))) {
      return this.problem(path, value, integral ? 'must be an integer' : 'must be a number');
    }
    if ((spec.min !== undefined && parsed < spec.min) || (spec.max !== undefined && parsed > spec.max)) {
      return this.problem(path, value, `must be from ${spec.min} to ${spec.max}`);
    }
    return parsed;
  }

  /** `value` is `raw` after substitution when `raw` was a string: its items are not expanded again. */
  private readStrings(raw: unknown, value: unknown, path: string): unknown {
    const list: unknown = typeof value === 'string' ? value.split(',') : value;
    if (!Array.isArray(list) || list.length === 0) return this.problem(path, raw, 'must be a non-empty list of strings, or one comma-separated string');
    const items: string[] = [];
    for (const [index, item] of list.entries()) {
      const field = `${path}[${index}]`;
      if (typeof item !== 'string') return this.problem(field, item, 'must be a string');
      const { text, missing } = typeof value === 'string' ? { text: item, missing: [] } : substituteEnv(item, this.sources.env);
      if (missing.length > 0) return this.problem(field, item, unsetMessage(missing));
      if (text.trim() === '') return this.problem(path, raw, 'must not hold an empty entry');
      items.push(text.trim());
    }
    return items;
  }

  private readSecret(pathValue: unknown, field: string): string | undefined {
    const path = this.readScalar(pathValue, { kind: 'string' }, field);
    if (typeof path !== 'string') return undefined;
    try {
      return readSecretFile(path, this.sources);
    } catch (error) {
      return this.problem(field, path, `cannot be read: ${(error as Error).message}`);
    }
  }
}

function unsetMessage(missing: readonly string[]): string {
  return `references ${missing.map((name) => `\${${name}}`).join(', ')}, not set in the environment`;
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}
