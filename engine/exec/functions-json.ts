// JSON_VALUE, JSON_EXISTS and JSON_QUERY as Flink evaluates them (Calcite's JsonFunctions: the
// text read by Jackson, the path by Jayway JsonPath in strict mode, every failure -> the default
// ON ERROR / ON EMPTY behaviour: NULL, or FALSE for JSON_EXISTS).
//
// The text is read as Jackson reads it: numbers keep their kind (an integer prints as written, a
// fraction or exponent is a Java double: 1e2 prints 100.0), objects keep their key order (a
// repeated key keeps its first place and its last value), anything after the first complete value
// is ignored, and '' or malformed text is an error. Paths: the subset `$`, `.name`, `['name']`,
// `[index]`; everything else (wildcards, filters, `..`, slices, negative indexes, lax/strict
// prefixes) is refused at plan time (compileJsonPath throws JsonPathError).

import { formatDouble } from '../values.js';

export class JsonPathError extends Error {}

type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | Map<string, JsonValue>;

/** A number as Jackson holds it: whole numbers as written (int/long/BigInteger), others as a double. */
class JsonNumber {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

class JsonSyntaxError extends Error {}

class JsonReader {
  private i = 0;
  constructor(private readonly s: string) {}

  /** The first complete value; what follows it is ignored (Jackson's FAIL_ON_TRAILING_TOKENS is off). */
  readRoot(): JsonValue {
    const v = this.value();
    return v;
  }

  private fail(): never {
    throw new JsonSyntaxError();
  }

  private skipSpace(): void {
    const s = this.s;
    while (
      this.i < s.length &&
      (s[this.i] === ' ' || s[this.i] === '\t' || s[this.i] === '\n' || s[this.i] === '\r')
    )
      this.i++;
  }

  private value(): JsonValue {
    this.skipSpace();
    const c = this.s[this.i];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    for (const [word, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (this.s.startsWith(word, this.i)) {
        this.i += word.length;
        return v;
      }
    }
    return this.fail();
  }

  private object(): Map<string, JsonValue> {
    const m = new Map<string, JsonValue>();
    this.i++;
    this.skipSpace();
    if (this.s[this.i] === '}') {
      this.i++;
      return m;
    }
    for (;;) {
      this.skipSpace();
      if (this.s[this.i] !== '"') this.fail();
      const key = this.string();
      this.skipSpace();
      if (this.s[this.i++] !== ':') this.fail();
      m.set(key, this.value());
      this.skipSpace();
      const c = this.s[this.i++];
      if (c === '}') return m;
      if (c !== ',') this.fail();
    }
  }

  private array(): JsonValue[] {
    const a: JsonValue[] = [];
    this.i++;
    this.skipSpace();
    if (this.s[this.i] === ']') {
      this.i++;
      return a;
    }
    for (;;) {
      a.push(this.value());
      this.skipSpace();
      const c = this.s[this.i++];
      if (c === ']') return a;
      if (c !== ',') this.fail();
    }
  }

  private string(): string {
    const m = /^"((?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*)"/.exec(this.s.slice(this.i));
    if (!m) this.fail();
    this.i += m[0].length;
    return JSON.parse(m[0]) as string;
  }

  private number(): JsonNumber {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.s.slice(this.i));
    if (!m) this.fail();
    this.i += m[0].length;
    // Jackson refuses a leading zero followed by digits (01).
    if (/^-?0\d/.test(this.s.slice(this.i - m[0].length, this.i + 1))) this.fail();
    return new JsonNumber(/[.eE]/.test(m[0]) ? formatDouble(Number(m[0])) : BigInt(m[0]).toString());
  }
}

function parseJson(text: string): JsonValue {
  return new JsonReader(text).readRoot();
}

/** One step of a path: an object member or an array index. */
type Step = { readonly key: string } | { readonly index: number };

/** A literal path of the supported subset, compiled once; throws JsonPathError otherwise. */
export function compileJsonPath(path: string): readonly Step[] {
  if (!path.startsWith('$')) throw new JsonPathError(`JSON path '${path}' must start with $`);
  const steps: Step[] = [];
  let rest = path.slice(1);
  while (rest.length > 0) {
    const m = /^\.([A-Za-z_][A-Za-z0-9_]*)|^\['([^'\\]*)'\]|^\[(0|[1-9]\d{0,8})\]/.exec(rest);
    if (!m) throw new JsonPathError(`JSON path '${path}': '${rest}' is not supported`);
    steps.push(m[3] !== undefined ? { index: Number(m[3]) } : { key: m[1] ?? m[2]! });
    rest = rest.slice(m[0].length);
  }
  return steps;
}

const NOT_FOUND = Symbol('not found');

/** The value at the path, or NOT_FOUND when the text is no JSON or the path leads nowhere (strict mode). */
function read(text: string, steps: readonly Step[]): JsonValue | typeof NOT_FOUND {
  let v: JsonValue;
  try {
    v = parseJson(text);
  } catch (err) {
    if (err instanceof JsonSyntaxError) return NOT_FOUND;
    throw err;
  }
  for (const step of steps) {
    if ('key' in step) {
      if (!(v instanceof Map) || !v.has(step.key)) return NOT_FOUND;
      v = v.get(step.key)!;
    } else {
      if (!Array.isArray(v) || step.index >= v.length) return NOT_FOUND;
      v = v[step.index]!;
    }
  }
  return v;
}

const isScalar = (v: JsonValue): boolean => !(v instanceof Map) && !Array.isArray(v);

/** JSON_VALUE(text, path): the scalar at the path as text; NULL for JSON null, objects, arrays and errors. */
export function makeJsonValue(path: string): (text: string) => string | null {
  const steps = compileJsonPath(path);
  return (text) => {
    const v = read(text, steps);
    if (v === NOT_FOUND || v === null || !isScalar(v)) return null;
    return String(v);
  };
}

/** JSON_EXISTS(text, path): whether the path leads to a value other than JSON null; FALSE for errors. */
export function makeJsonExists(path: string): (text: string) => boolean {
  const steps = compileJsonPath(path);
  return (text) => {
    const v = read(text, steps);
    return v !== NOT_FOUND && v !== null;
  };
}

/** JSON_QUERY(text, path): the object or array at the path as compact JSON (Jackson's); NULL otherwise. */
export function makeJsonQuery(path: string): (text: string) => string | null {
  const steps = compileJsonPath(path);
  return (text) => {
    const v = read(text, steps);
    if (v === NOT_FOUND || v === null || isScalar(v)) return null;
    return writeJson(v);
  };
}

/** Jackson's compact output: control characters escaped (\n, \u001F upper-case), nothing else. */
function writeJson(v: JsonValue): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return String(v);
  if (v instanceof JsonNumber) return v.text;
  if (typeof v === 'string') return quote(v);
  if (Array.isArray(v)) return `[${v.map(writeJson).join(',')}]`;
  return `{${[...v].map(([k, x]) => `${quote(k)}:${writeJson(x)}`).join(',')}}`;
}

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\t': '\\t',
  '\n': '\\n',
  '\f': '\\f',
  '\r': '\\r',
};

function quote(s: string): string {
  return `"${s.replace(/["\\\u0000-\u001f]/g, (c) => SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`)}"`;
}
