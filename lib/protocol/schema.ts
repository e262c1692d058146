/**
 * Command params as data. Each command declares its params once, as a shape of fields;
 * dispatch checks a request's params against it before `run` (a USAGE error that names
 * the param, never echoing a value), and `run`'s param type is derived from it. A field
 * may refine its value after the type check (a URL's scheme, a key chord): the CLI's
 * parse calls the same refinement, so argv errors and wire errors say the same.
 */
import { clip, usage } from './errors.js';

/** One param: checks a value from the wire and hands it back typed. */
export interface Field<T, Optional extends boolean = boolean> {
  readonly optional: Optional;
  /** What the value must be, for messages and docs: "a string", "one of top, bottom". */
  readonly kind: string;
  /** The value, checked (and maybe normalised); a USAGE error naming `name` otherwise. */
  check(value: unknown, name: string): T;
  /** The same field, optional. */
  opt(): Field<T, true>;
  /** The same field with a further check run on its typed value, which may normalise it. */
  refine<U>(fn: (value: T, name: string) => U): Field<U, Optional>;
}

/** A command's params: name → field. */
export type Shape = Record<string, Field<unknown>>;

type Value<F> = F extends Field<infer T, boolean> ? T : never;
type RequiredKeys<S> = { [K in keyof S]: S[K] extends Field<unknown, true> ? never : K }[keyof S];
type OptionalKeys<S> = { [K in keyof S]: S[K] extends Field<unknown, true> ? K : never }[keyof S];

/** The params type a shape describes. */
export type Infer<S extends Shape> = { [K in RequiredKeys<S>]: Value<S[K]> } & { [K in OptionalKeys<S>]?: Value<S[K]> };

class ParamField<T, O extends boolean> implements Field<T, O> {
  constructor(
    readonly kind: string,
    private readonly test: (value: unknown, name: string) => T,
    readonly optional: O,
    /** Said when a required value is missing. */
    private readonly missing: string | undefined,
  ) {}

  check(value: unknown, name: string): T {
    if (value === undefined) throw usage(this.missing ?? `"${name}" required: ${this.kind}`);
    return this.test(value, name);
  }

  opt(): Field<T, true> {
    return new ParamField(this.kind, this.test, true, this.missing);
  }

  refine<U>(fn: (value: T, name: string) => U): Field<U, O> {
    return new ParamField(this.kind, (v, name) => fn(this.test(v, name), name), this.optional, this.missing);
  }
}

function field<T>(kind: string, ok: (value: unknown) => boolean, missing?: string): Field<T, false> {
  return new ParamField<T, false>(kind, (v, name) => {
    if (!ok(v)) throw usage(`"${name}" must be ${kind}`);
    return v as T;
  }, false, missing);
}

/** Options a few fields take. */
interface Said {
  /** The message when a required value is missing (chrome-cdp's words, e.g. "URL required"). */
  missing?: string;
}

/** A string; not empty unless `empty`. */
export function string(o: Said & { empty?: boolean } = {}): Field<string, false> {
  return o.empty
    ? field('a string', (v) => typeof v === 'string', o.missing)
    : field('a non-empty string', (v) => typeof v === 'string' && v.length > 0, o.missing);
}

/** A finite number, optionally an integer, within bounds. */
export function number(o: Said & { integer?: boolean; min?: number; max?: number } = {}): Field<number, false> {
  const kind = `${o.integer ? 'an integer' : 'a number'}${o.min !== undefined ? ` ≥ ${o.min}` : ''}${o.max !== undefined ? ` ≤ ${o.max}` : ''}`;
  return field(kind, (v) => typeof v === 'number' && Number.isFinite(v) && (!o.integer || Number.isInteger(v)) &&
    (o.min === undefined || v >= o.min) && (o.max === undefined || v <= o.max), o.missing);
}

/** true or false. */
export function boolean(): Field<boolean, false> {
  return field('true or false', (v) => typeof v === 'boolean');
}

/** One of the given strings. */
export function oneOf<const V extends readonly string[]>(values: V, o: Said = {}): Field<V[number], false> {
  return field(`one of ${values.join(', ')}`, (v) => typeof v === 'string' && values.includes(v), o.missing);
}

/** An array of `item`s; at least `min` of them. */
export function list<T>(item: Field<T>, o: Said & { min?: number } = {}): Field<T[], false> {
  const min = o.min ?? 0;
  return new ParamField<T[], false>(`${min > 0 ? 'a non-empty ' : 'an '}array of ${item.kind.replace(/^an? /, '')}s`, (v, name) => {
    if (!Array.isArray(v) || v.length < min) throw usage(`"${name}" must be ${min > 0 ? 'a non-empty ' : 'an '}array`);
    return v.map((x, i) => item.check(x, `${name}[${i}]`));
  }, false, o.missing);
}

/** An object of the given fields, and no others. */
export function object<S extends Shape>(shape: S): Field<Infer<S>, false> {
  return new ParamField<Infer<S>, false>('an object', (v, name) => checkShape(shape, v, name), false, undefined);
}

/** Any JSON object (CDP params, which Chrome checks). */
export function anyObject(): Field<Record<string, unknown>, false> {
  return field('an object', (v) => typeof v === 'object' && v !== null && !Array.isArray(v));
}

/** A value one of two fields takes. */
export function either<A, B>(a: Field<A>, b: Field<B>): Field<A | B, false> {
  return new ParamField<A | B, false>(`${a.kind} or ${b.kind}`, (v, name) => {
    try {
      return a.check(v, name);
    } catch {
      try {
        return b.check(v, name);
      } catch {
        throw usage(`"${name}" must be ${a.kind} or ${b.kind}`);
      }
    }
  }, false, undefined);
}

/**
 * An object that is one of several shapes, told apart by its `key` field (`kind`):
 * `tagged('kind', { abort: {…}, fulfill: {…} })`.
 */
export function tagged<const K extends string, M extends Record<string, Shape>>(
  key: K, shapes: M,
): Field<{ [T in keyof M & string]: Infer<M[T]> & { [P in K]: T } }[keyof M & string], false> {
  const tags = Object.keys(shapes);
  return new ParamField(`an object with "${key}" one of ${tags.join(', ')}`, (v, name) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw usage(`"${name}" must be an object`);
    const tag = (v as Record<string, unknown>)[key];
    if (typeof tag !== 'string' || !Object.hasOwn(shapes, tag)) throw usage(`"${name}.${key}" must be one of ${tags.join(', ')}`);
    return checkShape(shapes[tag]!, v, name, new Set([key])) as never;
  }, false, undefined);
}

/**
 * Checks `value` against `shape`: every required field present, each present one of its
 * kind, nothing else, except the names in `also` (checked by someone else). Hands back
 * the checked params (refined values in place of the given ones).
 */
export function checkShape<S extends Shape>(shape: S, value: unknown, at?: string, also: ReadonlySet<string> = NONE): Infer<S> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw usage(`${at ? `"${at}"` : 'params'} must be an object`);
  const given = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  // for-in, not Object.keys/entries: this runs on every request, and plain objects (JSON,
  // literals) have no inherited enumerable keys.
  for (const key in given) {
    if (Object.hasOwn(shape, key)) continue;
    if (also.has(key)) {
      out[key] = given[key];
      continue;
    }
    const takes = Object.keys(shape);
    throw usage(`Unknown param "${clip(at ? `${at}.${key}` : key, 40)}"${takes.length ? `: ${at ? `"${at}"` : 'this command'} takes ${takes.join(', ')}` : ''}`);
  }
  for (const key in shape) {
    const f = shape[key]!;
    const v = given[key];
    if (v === undefined && f.optional) continue;
    out[key] = f.check(v, at ? `${at}.${key}` : key);
  }
  return out as Infer<S>;
}

const NONE: ReadonlySet<string> = new Set();
