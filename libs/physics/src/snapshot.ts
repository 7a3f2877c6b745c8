/**
 * Checkpoints of per-cell state machines (detectors, trackers) as plain JSON, so a restarted process
 * continues a cell where it stopped instead of rebuilding hours of baselines.
 *
 * The state is taken generically from an object's own fields, so a field added to a detector is in its
 * checkpoint without anyone listing it; and a checkpoint is restored only into an object of exactly the
 * same shape (same class, version, field names and field kinds), so a checkpoint written by another
 * version of a detector is refused with a SnapshotError, never misread. The object restored into is built
 * from the same configuration first (constructor), so fields derived from the configuration already hold
 * their values and function-valued fields (callbacks, D(T)) are left alone.
 *
 * Encoding of values that JSON lacks: non-finite numbers and -0 as `{"$n": "NaN"}`, `undefined` as
 * `{"$u": 1}`, typed arrays as `{"$ta": "Float64Array", "v": [...]}`, Map and Set as `{"$map": [[k, v]]}`
 * and `{"$set": [...]}`, a nested object with its own snapshot() as `{"$s": snapshot}`, another class
 * instance as `{"$c": {fields}}`. Plain objects and arrays stay as they are.
 * Example: `const s = tracker.snapshot(); fresh.restore(JSON.parse(JSON.stringify(s)))`.
 */

/** A JSON value (what a checkpoint is made of). */
export type SnapshotJson =
  null | boolean | number | string | SnapshotJson[] | { [key: string]: SnapshotJson };

/** A versioned checkpoint of one object. */
export interface Snapshot {
  /** Class of the object it was taken from. */
  type: string;
  /** The class's snapshot version: bumped when the meaning of a field changes without its name. */
  version: number;
  state: { [field: string]: SnapshotJson };
}

/** A checkpoint that does not fit the object it is restored into (other version, other fields). */
export class SnapshotError extends Error {
  override readonly name = 'SnapshotError';
}

/** Objects that checkpoint themselves (their fields are then restored by their own restore()). */
export interface Snapshotting {
  snapshot(): Snapshot;
  restore(snapshot: Snapshot): void;
}

type Fields = Record<string, unknown>;

const TYPED_ARRAYS = {
  Float64Array,
  Float32Array,
  Int32Array,
  Uint32Array,
  Int16Array,
  Uint16Array,
  Int8Array,
  Uint8Array,
} as const;
type TypedArrayName = keyof typeof TYPED_ARRAYS;
type AnyTypedArray = InstanceType<(typeof TYPED_ARRAYS)[TypedArrayName]>;

/** Takes the checkpoint of `object`'s own fields (see the file comment). */
export function takeSnapshot(object: object, version: number): Snapshot {
  return { type: object.constructor.name, version, state: encodeFields(object as Fields, object) };
}

/**
 * Restores `object`'s fields from a checkpoint taken by takeSnapshot on an object of the same class and
 * version. Throws SnapshotError (leaving the object partly restored: discard it) when it does not fit.
 */
export function restoreSnapshot(object: object, snapshot: Snapshot, version: number): void {
  const type = object.constructor.name;
  if (!snapshot || typeof snapshot !== 'object' || typeof snapshot.state !== 'object' || !snapshot.state) {
    throw new SnapshotError(`${type}: not a checkpoint`);
  }
  if (snapshot.type !== type) throw new SnapshotError(`checkpoint of a ${snapshot.type}, not of a ${type}`);
  if (snapshot.version !== version) {
    throw new SnapshotError(`${type}: checkpoint version ${snapshot.version}, this version reads ${version}`);
  }
  restoreFields(object as Fields, snapshot.state, type);
}

/** Plain data (numbers of any kind, arrays, maps, plain objects) as JSON, in the encoding above. */
export function encodeValue(value: unknown): SnapshotJson {
  return encode(value, encodeValue);
}

/** The inverse of encodeValue (plain data only: class instances are restored in place, not made). */
export function decodeValue(value: SnapshotJson): unknown {
  return decode(value, 'value');
}

function isSnapshotting(value: object): value is Snapshotting {
  const candidate = value as Partial<Snapshotting>;
  return typeof candidate.snapshot === 'function' && typeof candidate.restore === 'function';
}

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function encodeFields(fields: Fields, owner: object): { [field: string]: SnapshotJson } {
  const out: { [field: string]: SnapshotJson } = {};
  for (const key of Object.keys(fields)) {
    const value = fields[key];
    if (typeof value === 'function') continue;
    if (key.startsWith('$')) throw new SnapshotError(`${owner.constructor.name}: field ${key} starts with $`);
    out[key] = encode(value, owner);
  }
  return out;
}

function encode(value: unknown, owner: object): SnapshotJson {
  switch (typeof value) {
    case 'number':
      if (Number.isFinite(value) && !Object.is(value, -0)) return value;
      return { $n: Object.is(value, -0) ? '-0' : String(value) };
    case 'string':
    case 'boolean':
      return value;
    case 'undefined':
      return { $u: 1 };
    case 'object': {
      if (value === null) return null;
      if (Array.isArray(value)) return value.map((item) => encode(item, owner));
      if (ArrayBuffer.isView(value)) {
        const name = value.constructor.name;
        if (!(name in TYPED_ARRAYS))
          throw new SnapshotError(`${owner.constructor.name}: cannot checkpoint a ${name}`);
        return { $ta: name, v: Array.from(value as AnyTypedArray, (x) => encode(x, owner)) };
      }
      if (value instanceof Map) {
        return { $map: Array.from(value, ([k, v]) => [encode(k, owner), encode(v, owner)]) };
      }
      if (value instanceof Set) return { $set: Array.from(value, (v) => encode(v, owner)) };
      if (isPlain(value)) return encodeFields(value as Fields, owner);
      if (isSnapshotting(value)) return { $s: value.snapshot() as unknown as SnapshotJson };
      return { $c: encodeFields(value as Fields, value) };
    }
    case 'bigint':
    case 'symbol':
    case 'function':
      throw new SnapshotError(`${owner.constructor.name}: cannot checkpoint a ${typeof value}`);
  }
}

function marker(value: SnapshotJson): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  return keys[0]?.startsWith('$') ? keys[0] : undefined;
}

/** Restores own non-function fields; the field names must be exactly those of the checkpoint. */
function restoreFields(target: Fields, state: { [field: string]: SnapshotJson }, where: string): void {
  const keys = Object.keys(target).filter((key) => typeof target[key] !== 'function');
  const stored = Object.keys(state);
  if (keys.length !== stored.length || keys.some((key) => !(key in state))) {
    const missing = keys.filter((key) => !(key in state));
    const extra = stored.filter((key) => !keys.includes(key));
    throw new SnapshotError(
      `${where}: checkpoint fields differ (missing ${missing.join(', ') || 'none'}; unknown ${extra.join(', ') || 'none'})`,
    );
  }
  for (const key of keys) {
    const current = target[key];
    const next = restoreValue(current, state[key]!, `${where}.${key}`);
    // Same value (e.g. a configuration constant of a frozen object): no write.
    if (!Object.is(current, next)) target[key] = next;
  }
}

function restoreValue(current: unknown, value: SnapshotJson, where: string): unknown {
  const tag = marker(value);
  const record = value as { [key: string]: SnapshotJson };
  if (tag === '$s') {
    if (typeof current !== 'object' || current === null || !isSnapshotting(current)) {
      throw new SnapshotError(`${where}: checkpoint holds a detector the object has not`);
    }
    current.restore(record.$s as unknown as Snapshot);
    return current;
  }
  if (tag === '$c') {
    if (typeof current !== 'object' || current === null || isPlain(current)) {
      throw new SnapshotError(`${where}: checkpoint holds an object the target has not`);
    }
    restoreFields(current as Fields, record.$c as { [field: string]: SnapshotJson }, where);
    return current;
  }
  if (tag === '$map' && current instanceof Map) {
    current.clear();
    for (const pair of record.$map as SnapshotJson[][])
      current.set(decode(pair[0]!, where), decode(pair[1]!, where));
    return current;
  }
  if (tag === '$set' && current instanceof Set) {
    current.clear();
    for (const item of record.$set as SnapshotJson[]) current.add(decode(item, where));
    return current;
  }
  // A plain object holding class instances or functions (a record of hysteresis states, a resolved
  // configuration): restored in place; one of plain data is replaced below.
  if (
    tag === undefined &&
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    typeof current === 'object' &&
    current !== null &&
    isPlain(current) &&
    Object.values(current).some(
      (v) => typeof v === 'function' || (typeof v === 'object' && v !== null && !isPlain(v)),
    )
  ) {
    restoreFields(current as Fields, value, where);
    return current;
  }
  const decoded = decode(value, where);
  if (!sameKind(current, decoded)) {
    throw new SnapshotError(
      `${where}: checkpoint holds a ${kindOf(decoded)} where the object has a ${kindOf(current)}`,
    );
  }
  return decoded;
}

/** Plain data only: class instances cannot be made from a checkpoint, only restored in place. */
function decode(value: SnapshotJson, where: string): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => decode(item, where));
  const tag = marker(value);
  switch (tag) {
    case undefined: {
      const out: Fields = {};
      for (const [key, item] of Object.entries(value)) out[key] = decode(item, where);
      return out;
    }
    case '$n':
      return value.$n === '-0' ? -0 : Number(value.$n);
    case '$u':
      return undefined;
    case '$ta': {
      const make = TYPED_ARRAYS[value.$ta as TypedArrayName];
      if (!make) throw new SnapshotError(`${where}: unknown array type ${String(value.$ta)}`);
      return make.from((value.v as SnapshotJson[]).map((x) => decode(x, where) as number));
    }
    case '$map':
      return new Map(
        (value.$map as SnapshotJson[][]).map(([k, v]) => [decode(k!, where), decode(v!, where)]),
      );
    case '$set':
      return new Set((value.$set as SnapshotJson[]).map((v) => decode(v, where)));
    default:
      throw new SnapshotError(`${where}: ${tag} cannot be restored here`);
  }
}

function kindOf(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'array';
  if (ArrayBuffer.isView(value)) return value.constructor.name;
  if (typeof value === 'object') return isPlain(value) ? 'object' : value.constructor.name;
  return typeof value;
}

/** Nullable fields may change between nothing and a value; anything else must keep its kind. */
function sameKind(current: unknown, decoded: unknown): boolean {
  const a = kindOf(current);
  const b = kindOf(decoded);
  return a === b || a === 'nothing' || b === 'nothing';
}
