/**
 * What one field of the relay service's config file may hold. The file is read against a tree of
 * these (relay-service-schema.ts), which is what lets `--check` name every bad field by its path.
 */
export type FieldSpec = ScalarSpec | ObjectSpec | MapSpec | ListSpec;

export interface ScalarSpec {
  /** `strings`: a list of strings, or one string of comma-separated items (handy from `${ENV}`). */
  readonly kind: 'string' | 'integer' | 'number' | 'boolean' | 'strings';
  readonly min?: number;
  readonly max?: number;
  readonly oneOf?: readonly string[];
  /** Masked in messages; may instead be read from a file named by the sibling key `<name>File`. */
  readonly secret?: boolean;
}

export interface ObjectSpec {
  readonly kind: 'object';
  readonly fields: Readonly<Record<string, FieldSpec>>;
  readonly required?: readonly string[];
  /** `true`/`false` are accepted in place of the object (Kafka's `ssl`). */
  readonly orBoolean?: boolean;
}

/** An object whose keys the user names (the clusters), every value of one spec. */
export interface MapSpec {
  readonly kind: 'map';
  readonly each: FieldSpec;
  readonly minEntries?: number;
}

export interface ListSpec {
  readonly kind: 'list';
  readonly each: FieldSpec;
  readonly minItems?: number;
}

export const text = (options: Omit<ScalarSpec, 'kind' | 'min' | 'max'> = {}): ScalarSpec => ({ kind: 'string', ...options });
export const secret = (): ScalarSpec => ({ kind: 'string', secret: true });
export const integer = (min: number, max: number): ScalarSpec => ({ kind: 'integer', min, max });
/** A number whose range the library component it configures checks. */
export const number = (): ScalarSpec => ({ kind: 'number' });
export const flag = (): ScalarSpec => ({ kind: 'boolean' });
export const strings = (): ScalarSpec => ({ kind: 'strings' });
export const object = (fields: ObjectSpec['fields'], options: Omit<ObjectSpec, 'kind' | 'fields'> = {}): ObjectSpec => ({ kind: 'object', fields, ...options });
export const mapOf = (each: FieldSpec, minEntries?: number): MapSpec => ({ kind: 'map', each, minEntries });
export const listOf = (each: FieldSpec, minItems?: number): ListSpec => ({ kind: 'list', each, minItems });
