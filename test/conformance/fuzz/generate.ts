// A seeded generator of random, well-typed SQL expressions over the fuzz table (table.ts), for the
// differential fuzzer (test/conformance/fuzz.test.ts). Expressions are trees so that a difference
// can be shrunk to the smallest sub-expression that still differs. Every compound node renders
// with its own parentheses, so precedence never depends on the printer.
//
// Families: 'num' (any numeric), 'int' (exact integers, a subset of 'num'), 'str', 'bool', 'ts'.
// The generator keeps operands in the family each operator accepts in Flink; exact types (INT vs
// BIGINT, DECIMAL precision) are left to the engines. Constructs that fail at runtime on Flink
// (division or MOD by zero, CAST of text that is no number) are kept rare: the Flink runner has to
// bisect a batch to find each one: so LIKE patterns are literals (a pattern ending in a lone
// backslash fails), LPAD/RPAD pad with a non-empty literal.

import { mulberry32 } from '../../prng.js';

export type Family = 'num' | 'int' | 'str' | 'bool' | 'ts';

export interface Expr {
  readonly family: Family;
  readonly kids: readonly Expr[];
  /** The SQL text, given the kids' SQL texts. */
  readonly render: (kids: readonly string[]) => string;
}

export function sqlOf(e: Expr): string {
  return e.render(e.kids.map(sqlOf));
}

export function sizeOf(e: Expr): number {
  return 1 + e.kids.reduce((n, k) => n + sizeOf(k), 0);
}

/** Every sub-expression (the expression itself included), each a valid expression on its own. */
export function subExpressions(e: Expr): Expr[] {
  return [e, ...e.kids.flatMap(subExpressions)];
}

const leaf = (family: Family, text: string): Expr => ({ family, kids: [], render: () => text });
const node = (family: Family, kids: Expr[], render: (k: readonly string[]) => string): Expr => ({
  family,
  kids,
  render,
});
const sq = (s: string): string => `'${s.replace(/'/g, "''")}'`;

// ---- leaves: columns and literals at the edges -------------------------------------------------

const INT_LEAVES = [
  'i',
  'j',
  'si',
  'ti',
  '0',
  '1',
  '-1',
  '2',
  '7',
  '100',
  '2147483647',
  '-2147483647',
  '-2147483648',
];
const BIGINT_LEAVES = [
  'bi',
  '9223372036854775807',
  '3000000000001',
  '-9007199254740993',
  '1234567890123456789',
];
const APPROX_LEAVES = ['d', '0.0E0', '1.5E10', '-2.5E0', '1.0E-3', '3.0E0', '1.7976931348623157E308'];
const DECIMAL_LEAVES = ['m', 'g', '1.5', '0.005', '-2.675', '0.1', '1234567890123456.789', '-0.0'];
const STRING_LEAVES = [
  's',
  't',
  "''",
  "'abc'",
  "'Ab😀c'",
  "' x '",
  "'äß'",
  "'ABC'",
  "'%'",
  "'it''s'",
  "'2016-02-29 00:00:00'",
];
const BOOL_LEAVES = ['b', 'TRUE', 'FALSE'];
const TS_LEAVES = [
  'ts',
  "TIMESTAMP '2016-02-29 00:00:00'",
  "TIMESTAMP '1970-01-01 00:00:00.001'",
  "TIMESTAMP '2017-07-23 00:55:22.500'",
];

/** Leaves of each family, for shrinking: a sub-expression replaced by a leaf of its family. */
export const LEAVES: Record<Family, readonly string[]> = {
  int: [...INT_LEAVES, ...BIGINT_LEAVES],
  num: [...INT_LEAVES, ...BIGINT_LEAVES, ...APPROX_LEAVES, ...DECIMAL_LEAVES],
  str: STRING_LEAVES,
  bool: BOOL_LEAVES,
  ts: TS_LEAVES,
};

/** `e` with its kid number `k` replaced by `kid`. */
export function withKid(e: Expr, k: number, kid: Expr): Expr {
  return { ...e, kids: e.kids.map((x, i) => (i === k ? kid : x)) };
}

export const leafOf = (family: Family, text: string): Expr => leaf(family, text);

const LIKE_PATTERNS = [
  '%',
  '_',
  'a%',
  '%c',
  '%b%',
  '_b_',
  '',
  'ABC',
  '%😀%',
  '_😀%',
  '%\\%',
  '%\\_%',
  'caf_',
];
const DATE_PATTERNS = [
  'yyyy-MM-dd',
  'HH:mm:ss.SSS',
  'yyyyMMddHHmmss',
  'dd/MM/yy',
  "yyyy-MM-dd'T'HH:mm",
  'EEE, d MMM yyyy',
  'D',
  'a h:mm',
];
const PARSE_PATTERNS = ['yyyy-MM-dd HH:mm:ss', 'yyyy-MM-dd', 'yyyy-M-d H:m:s', 'HH:mm:ss'];
// CAST of text to BOOLEAN or TIMESTAMP fails at runtime on Flink unless the text reads: only these.
const BOOLEAN_TEXTS = ['true', 'FALSE', 'True', 'false'];
const TIMESTAMP_TEXTS = [
  '2016-02-29 00:00:00',
  '2017-07-23 00:55:22.5',
  '1970-01-01 00:00:00',
  '1969-12-31 23:59:59.999',
  '2000-02-29',
];
const CAST_NUMERIC = [
  'TINYINT',
  'SMALLINT',
  'INT',
  'BIGINT',
  'DOUBLE',
  'FLOAT',
  'DECIMAL(10, 2)',
  'DECIMAL(20, 4)',
  'DECIMAL(38, 18)',
  'DECIMAL(5, 0)',
];
const CAST_INTEGRAL = ['TINYINT', 'SMALLINT', 'INT', 'BIGINT'];
const INTERVAL_UNITS = ['SECOND', 'MINUTE', 'HOUR', 'DAY'];
const DIVISORS = ['2', '-3', '7', '0.5', '1.5E0', '-0.25', '1000000000'];
const MOD_DIVISORS = ['2', '-3', '7', '10', '1000000007'];

export class ExprGenerator {
  private readonly rand: () => number;

  constructor(seed: number) {
    this.rand = mulberry32(seed);
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.rand() * items.length)]!;
  }

  private int(lo: number, hi: number): number {
    return lo + Math.floor(this.rand() * (hi - lo + 1));
  }

  /** One of the weighted alternatives: [weight, make][]. */
  private choose(alternatives: readonly [number, () => Expr][]): Expr {
    const total = alternatives.reduce((n, [w]) => n + w, 0);
    let r = this.rand() * total;
    for (const [w, make] of alternatives) {
      if ((r -= w) < 0) return make();
    }
    return alternatives[alternatives.length - 1]![1]();
  }

  /** A random expression of a random family, at most `depth` operators deep. */
  next(depth = 3): Expr {
    return this.gen(this.pick<Family>(['num', 'num', 'int', 'str', 'str', 'bool', 'bool', 'ts']), depth);
  }

  gen(family: Family, depth: number): Expr {
    if (depth <= 0 || this.rand() < 0.25) return this.leaf(family);
    const d = depth - 1;
    switch (family) {
      case 'int':
        return this.intExpr(d);
      case 'num':
        return this.numExpr(d);
      case 'str':
        return this.strExpr(d);
      case 'bool':
        return this.boolExpr(d);
      case 'ts':
        return this.tsExpr(d);
    }
  }

  leaf(family: Family): Expr {
    switch (family) {
      case 'int':
        return leaf('int', this.pick(this.rand() < 0.75 ? INT_LEAVES : BIGINT_LEAVES));
      case 'num': {
        const pool = this.pick([INT_LEAVES, BIGINT_LEAVES, APPROX_LEAVES, DECIMAL_LEAVES]);
        return leaf(pool === INT_LEAVES || pool === BIGINT_LEAVES ? 'int' : 'num', this.pick(pool));
      }
      case 'str':
        return leaf('str', this.pick(STRING_LEAVES));
      case 'bool':
        return leaf('bool', this.pick(BOOL_LEAVES));
      case 'ts':
        return leaf('ts', this.pick(TS_LEAVES));
    }
  }

  // Shared by every family: CASE, COALESCE, IF, NULLIF over operands of that family.
  private conditional(family: Family, d: number): Expr {
    return this.choose([
      [
        3,
        () =>
          node(
            family,
            [this.gen('bool', d), this.gen(family, d), this.gen(family, d)],
            ([c, a, b]) => `(CASE WHEN ${c} THEN ${a} ELSE ${b} END)`,
          ),
      ],
      [
        1,
        () =>
          node(
            family,
            [this.gen('bool', d), this.gen(family, d)],
            ([c, a]) => `(CASE WHEN ${c} THEN ${a} END)`,
          ),
      ],
      [
        1,
        () =>
          node(
            family,
            [this.gen(family, d), this.leaf(family), this.gen(family, d), this.gen(family, d)],
            ([x, v, a, b]) => `(CASE ${x} WHEN ${v} THEN ${a} ELSE ${b} END)`,
          ),
      ],
      [2, () => node(family, [this.gen(family, d), this.gen(family, d)], ([a, b]) => `COALESCE(${a}, ${b})`)],
      [
        1,
        () =>
          node(
            family,
            [this.gen(family, d), this.gen(family, d), this.gen(family, d)],
            ([a, b, c]) => `COALESCE(${a}, ${b}, ${c})`,
          ),
      ],
      [
        1,
        () =>
          node(
            family,
            [this.gen('bool', d), this.gen(family, d), this.gen(family, d)],
            ([c, a, b]) => `IF(${c}, ${a}, ${b})`,
          ),
      ],
      [1, () => node(family, [this.gen(family, d), this.gen(family, d)], ([a, b]) => `NULLIF(${a}, ${b})`)],
    ]);
  }

  private intExpr(d: number): Expr {
    return this.choose([
      [
        4,
        () => {
          const op = this.pick(['+', '-', '*']);
          return node('int', [this.gen('int', d), this.gen('int', d)], ([a, b]) => `(${a} ${op} ${b})`);
        },
      ],
      [1, () => node('int', [this.gen('int', d)], ([a]) => `(-(${a}))`)],
      [1, () => node('int', [this.gen('int', d)], ([a]) => `ABS(${a})`)],
      [
        2,
        () => {
          const m = this.pick(MOD_DIVISORS);
          return node('int', [this.gen('int', d)], ([a]) => `MOD(${a}, ${m})`);
        },
      ],
      [
        1,
        () => {
          const m = this.pick(MOD_DIVISORS);
          return node('int', [this.gen('int', d)], ([a]) => `(${a} % ${m})`);
        },
      ],
      [
        1,
        () => {
          const m = this.pick(['2', '-3', '7']);
          return node('int', [this.gen('int', d)], ([a]) => `(${a} / ${m})`);
        },
      ],
      [2, () => node('int', [this.gen('str', d)], ([a]) => `CHAR_LENGTH(${a})`)],
      [
        3,
        () => {
          const t = this.pick(CAST_INTEGRAL);
          return node('int', [this.gen('num', d)], ([a]) => `CAST(${a} AS ${t})`);
        },
      ],
      [
        1,
        () => {
          const t = this.pick(CAST_INTEGRAL);
          return node('int', [this.gen('bool', d)], ([a]) => `CAST(${a} AS ${t})`);
        },
      ],
      [1, () => node('int', [this.gen('num', d)], ([a]) => `FLOOR(${a})`)],
      [1, () => node('int', [this.gen('int', d)], ([a]) => `ROUND(${a}, -1)`)],
      [
        1,
        () => {
          const f = this.pick(['YEAR', 'MONTH', 'DAYOFMONTH', 'HOUR', 'MINUTE', 'SECOND']);
          return node('int', [this.gen('ts', d)], ([a]) => `${f}(${a})`);
        },
      ],
      [1, () => node('int', [this.gen('str', d)], ([a]) => `UNIX_TIMESTAMP(${a})`)],
      [
        1,
        () => {
          const p = this.pick(PARSE_PATTERNS);
          return node('int', [this.gen('str', d)], ([a]) => `UNIX_TIMESTAMP(${a}, ${sq(p)})`);
        },
      ],
      [2, () => this.conditional('int', d)],
    ]);
  }

  private numExpr(d: number): Expr {
    return this.choose([
      [
        5,
        () => {
          const op = this.pick(['+', '-', '*']);
          return node('num', [this.gen('num', d), this.gen('num', d)], ([a, b]) => `(${a} ${op} ${b})`);
        },
      ],
      [
        2,
        () => {
          const m = this.pick(DIVISORS);
          return node('num', [this.gen('num', d)], ([a]) => `(${a} / ${m})`);
        },
      ],
      [1, () => node('num', [this.gen('num', d), this.gen('num', d)], ([a, b]) => `(${a} / (${b} + 0.5E0))`)], // a DOUBLE divisor: /0 is no error
      [1, () => node('num', [this.gen('num', d)], ([a]) => `(-(${a}))`)],
      [1, () => node('num', [this.gen('num', d)], ([a]) => `ABS(${a})`)],
      [1, () => node('num', [this.gen('num', d)], ([a]) => `FLOOR(${a})`)],
      [1, () => node('num', [this.gen('num', d)], ([a]) => `CEIL(${a})`)],
      [1, () => node('num', [this.gen('num', d)], ([a]) => `ROUND(${a})`)],
      [
        2,
        () => {
          const k = this.pick(['0', '1', '2', '3', '-1', '-2']);
          return node('num', [this.gen('num', d)], ([a]) => `ROUND(${a}, ${k})`);
        },
      ],
      [2, () => node('num', [this.gen('num', d), this.gen('num', d)], ([a, b]) => `POWER(${a}, ${b})`)],
      [
        1,
        () => {
          const e = this.pick(['2', '0.5', '-1', '3']);
          return node('num', [this.gen('num', d)], ([a]) => `POWER(${a}, ${e})`);
        },
      ],
      [
        3,
        () => {
          const t = this.pick(CAST_NUMERIC);
          return node('num', [this.gen('num', d)], ([a]) => `CAST(${a} AS ${t})`);
        },
      ],
      [
        1,
        () => {
          const t = this.pick(CAST_NUMERIC);
          return node('num', [this.gen('bool', d)], ([a]) => `CAST(${a} AS ${t})`);
        },
      ],
      // Text that is a number: CAST of a number to STRING and back (rare: a DOUBLE's text may not parse as INT on Flink).
      [
        0.3,
        () => {
          const t = this.pick(['DOUBLE', 'DECIMAL(20, 4)', 'BIGINT']);
          return node('num', [this.gen('int', d)], ([a]) => `CAST(CAST(${a} AS STRING) AS ${t})`);
        },
      ],
      [3, () => this.intExpr(d)],
      [2, () => this.conditional('num', d)],
    ]);
  }

  private strExpr(d: number): Expr {
    return this.choose([
      [4, () => node('str', [this.gen('str', d), this.gen('str', d)], ([a, b]) => `(${a} || ${b})`)],
      [
        2,
        () => {
          const f = this.pick(['UPPER', 'LOWER']);
          return node('str', [this.gen('str', d)], ([a]) => `${f}(${a})`);
        },
      ],
      [
        2,
        () => {
          const f = this.pick(['TRIM', 'LTRIM', 'RTRIM']);
          return node('str', [this.gen('str', d)], ([a]) => `${f}(${a})`);
        },
      ],
      [
        1,
        () => {
          const mode = this.pick(['BOTH', 'LEADING', 'TRAILING']);
          const chars = this.pick(["' '", "'a'", "'ab'", "'😀'"]);
          return node('str', [this.gen('str', d)], ([a]) => `TRIM(${mode} ${chars} FROM ${a})`);
        },
      ],
      [
        3,
        () => {
          const st = this.int(-3, 6);
          return node('str', [this.gen('str', d)], ([a]) => `SUBSTRING(${a}, ${st})`);
        },
      ],
      [
        3,
        () => {
          const st = this.int(-3, 6);
          const len = this.int(0, 4);
          return node('str', [this.gen('str', d)], ([a]) => `SUBSTRING(${a}, ${st}, ${len})`);
        },
      ],
      [
        1,
        () => {
          const st = this.int(1, 4);
          const len = this.int(0, 3);
          return node('str', [this.gen('str', d)], ([a]) => `SUBSTRING(${a} FROM ${st} FOR ${len})`);
        },
      ],
      [3, () => node('str', [this.gen('num', d)], ([a]) => `CAST(${a} AS STRING)`)],
      [1, () => node('str', [this.gen('bool', d)], ([a]) => `CAST(${a} AS STRING)`)],
      [1, () => node('str', [this.gen('ts', d)], ([a]) => `CAST(${a} AS STRING)`)],
      [
        1,
        () => {
          const n = this.int(1, 6);
          return node('str', [this.gen('str', d)], ([a]) => `CAST(${a} AS VARCHAR(${n}))`);
        },
      ],
      [
        2,
        () => {
          const p = this.pick(DATE_PATTERNS);
          return node('str', [this.gen('ts', d)], ([a]) => `DATE_FORMAT(${a}, ${sq(p)})`);
        },
      ],
      [
        1,
        () =>
          node(
            'str',
            [this.gen('str', d), this.gen('str', d), this.gen('str', d)],
            ([a, b, c]) => `REPLACE(${a}, ${b}, ${c})`,
          ),
      ],
      [
        1,
        () => {
          const f = this.pick(['LPAD', 'RPAD']);
          const n = this.int(0, 6);
          const pad = this.pick(["'*'", "'ab'", "'😀'"]);
          return node('str', [this.gen('str', d)], ([a]) => `${f}(${a}, ${n}, ${pad})`);
        },
      ], // an empty pad fails on Flink
      [1, () => node('str', [this.gen('str', d), this.gen('str', d)], ([a, b]) => `CONCAT(${a}, ${b})`)],
      [1, () => node('str', [this.gen('str', d)], ([a]) => `INITCAP(${a})`)],
      [2, () => this.conditional('str', d)],
    ]);
  }

  private boolExpr(d: number): Expr {
    const cmp = (family: Family): Expr => {
      const op = family === 'bool' ? this.pick(['=', '<>']) : this.pick(['=', '<>', '<', '<=', '>', '>=']);
      return node('bool', [this.gen(family, d), this.gen(family, d)], ([a, b]) => `(${a} ${op} ${b})`);
    };
    const anyFamily = (): Family => this.pick<Family>(['num', 'int', 'str', 'bool', 'ts']);
    return this.choose([
      [3, () => cmp('num')],
      [2, () => cmp('str')],
      [1, () => cmp('ts')],
      [1, () => cmp('bool')],
      [
        3,
        () => {
          const op = this.pick(['AND', 'OR']);
          return node('bool', [this.gen('bool', d), this.gen('bool', d)], ([a, b]) => `(${a} ${op} ${b})`);
        },
      ],
      [
        1,
        () =>
          node(
            'bool',
            [this.gen('bool', d), this.gen('bool', d), this.gen('bool', d)],
            ([a, b, c]) => `(${a} OR ${b} AND ${c})`,
          ),
      ],
      [
        1,
        () =>
          node(
            'bool',
            [this.gen('bool', d), this.gen('bool', d), this.gen('bool', d)],
            ([a, b, c]) => `(NOT ${a} AND ${b} OR ${c})`,
          ),
      ],
      [2, () => node('bool', [this.gen('bool', d)], ([a]) => `(NOT ${a})`)],
      [
        2,
        () => {
          const not = this.pick(['', 'NOT ']);
          return node('bool', [this.gen(anyFamily(), d)], ([a]) => `(${a} IS ${not}NULL)`);
        },
      ],
      [
        1,
        () => {
          const t = this.pick(['TRUE', 'FALSE', 'NOT TRUE', 'NOT FALSE']);
          return node('bool', [this.gen('bool', d)], ([a]) => `(${a} IS ${t})`);
        },
      ],
      [
        3,
        () => {
          const p = this.pick(LIKE_PATTERNS);
          const not = this.pick(['', 'NOT ']);
          return node('bool', [this.gen('str', d)], ([a]) => `(${a} ${not}LIKE ${sq(p)})`);
        },
      ],
      [
        2,
        () => {
          const family = this.pick<Family>(['num', 'int', 'str', 'ts']);
          const items = Array.from({ length: this.int(1, 4) }, () => this.leaf(family));
          const not = this.pick(['', 'NOT ']);
          return node(
            'bool',
            [this.gen(family, d), ...items],
            ([a, ...xs]) => `(${a} ${not}IN (${xs.join(', ')}))`,
          );
        },
      ],
      [
        2,
        () => {
          const family = this.pick<Family>(['num', 'int', 'str', 'ts']);
          const not = this.pick(['', 'NOT ']);
          const symmetric = this.rand() < 0.25 ? 'SYMMETRIC ' : '';
          return node(
            'bool',
            [this.gen(family, d), this.gen(family, d), this.gen(family, d)],
            ([a, lo, hi]) => `(${a} ${not}BETWEEN ${symmetric}${lo} AND ${hi})`,
          );
        },
      ],
      [1, () => leafOf('bool', `CAST(${sq(this.pick(BOOLEAN_TEXTS))} AS BOOLEAN)`)],
      [
        1,
        () => {
          const f = anyFamily();
          const not = this.pick(['', 'NOT ']);
          return node(
            'bool',
            [this.gen(f, d), this.gen(f, d)],
            ([a, b]) => `(${a} IS ${not}DISTINCT FROM ${b})`,
          );
        },
      ],
      [2, () => this.conditional('bool', d)],
    ]);
  }

  private tsExpr(d: number): Expr {
    return this.choose([
      [3, () => node('ts', [this.gen('str', d)], ([a]) => `TO_TIMESTAMP(${a})`)],
      [
        2,
        () => {
          const p = this.pick(PARSE_PATTERNS);
          return node('ts', [this.gen('str', d)], ([a]) => `TO_TIMESTAMP(${a}, ${sq(p)})`);
        },
      ],
      [
        3,
        () => {
          const op = this.pick(['+', '-']);
          const n = this.pick(['1', '59', '99']); // Flink's default interval precision is 2 digits
          const unit = this.pick(INTERVAL_UNITS);
          return node('ts', [this.gen('ts', d)], ([a]) => `(${a} ${op} INTERVAL '${n}' ${unit})`);
        },
      ],
      [1, () => leafOf('ts', `CAST(${sq(this.pick(TIMESTAMP_TEXTS))} AS TIMESTAMP(3))`)],
      [2, () => this.conditional('ts', d)],
    ]);
  }
}
