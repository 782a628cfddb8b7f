// A 'jdbc' table's 'url', as PostgreSQL's JDBC driver (pgjdbc) reads it, turned into what the
// node-postgres client needs. Only PostgreSQL is supported: every other JDBC URL (MySQL, Oracle,
// SQL Server, ...) is refused by name, so nobody wonders why their MySQL job cannot connect.
//
//   jdbc:postgresql://host[:port][/database][?user=..&password=..&sslmode=..&ApplicationName=..]
//   jdbc:postgresql:database  (localhost:5432)       jdbc:postgresql:/  (localhost, the user's database)

/** Where to connect, from the URL (the WITH clause's 'username' / 'password' take precedence). */
export interface PostgresAddress {
  readonly host: string;
  readonly port: number;
  /** undefined: pgjdbc's default, a database named like the user. */
  readonly database?: string;
  readonly user?: string;
  readonly password?: string;
  readonly ssl?: 'disable' | 'require';
  readonly applicationName?: string;
}

/** Why a URL cannot be used, and what to write instead. */
export class UrlProblem {
  constructor(
    readonly problem: string,
    readonly hint: string,
  ) {}
}

export const URL_EXAMPLE = 'jdbc:postgresql://localhost:5432/mydb';

/** Other databases' JDBC URL prefixes, to name them in the refusal. */
const OTHER_DATABASES: Record<string, string> = {
  mysql: 'MySQL',
  mariadb: 'MariaDB',
  oracle: 'Oracle',
  sqlserver: 'SQL Server',
  derby: 'Derby',
  db2: 'Db2',
  trino: 'Trino',
  crate: 'CrateDB',
  oceanbase: 'OceanBase',
  snowflake: 'Snowflake',
  h2: 'H2',
  sqlite: 'SQLite',
  redshift: 'Redshift',
};

/** URL parameters understood; any other one is refused rather than silently ignored. */
const PARAMETERS = ['user', 'password', 'sslmode', 'ApplicationName'] as const;

export function parsePostgresUrl(url: string): PostgresAddress | UrlProblem {
  const scheme = /^jdbc:([a-zA-Z0-9]+)(?::|$)/.exec(url.trim());
  if (!scheme) {
    return new UrlProblem(`'${url}' is not a JDBC URL`, `write '${URL_EXAMPLE}'`);
  }
  const sub = scheme[1]!.toLowerCase();
  if (sub !== 'postgresql') {
    const name = OTHER_DATABASES[sub] ?? `'${sub}'`;
    return new UrlProblem(
      `${name} is not supported: the jdbc connector of fintrans-sql talks to PostgreSQL only`,
      `use a PostgreSQL database ('${URL_EXAMPLE}'), or move the data through a topic or a file`,
    );
  }
  let rest = url.trim().slice('jdbc:postgresql:'.length);
  let query = '';
  const q = rest.indexOf('?');
  if (q >= 0) {
    query = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  let host = 'localhost';
  let port = 5432;
  let database: string | undefined;
  if (rest.startsWith('//')) {
    rest = rest.slice(2);
    const slash = rest.indexOf('/');
    const authority = slash >= 0 ? rest.slice(0, slash) : rest;
    database = slash >= 0 ? rest.slice(slash + 1) : undefined;
    if (authority.includes(',')) {
      return new UrlProblem(
        `'${url}' names several hosts: failover between hosts is not supported`,
        `name one host: '${URL_EXAMPLE}'`,
      );
    }
    if (authority.includes('@')) {
      return new UrlProblem(
        `'${url}': a user in the host part is not a JDBC URL`,
        `put the user in 'username' and 'password' (or ?user=...&password=...)`,
      );
    }
    const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]*)(?::(\d*))?$/.exec(authority);
    if (!m)
      return new UrlProblem(
        `'${url}': cannot read the host and port '${authority}'`,
        `write '${URL_EXAMPLE}'`,
      );
    if (m[1]) host = m[1].startsWith('[') ? m[1].slice(1, -1) : m[1];
    if (m[2] !== undefined && m[2] !== '') {
      port = Number(m[2]);
      if (!(port > 0 && port < 65536))
        return new UrlProblem(`'${url}': port ${m[2]} is not a TCP port`, `write '${URL_EXAMPLE}'`);
    }
  } else {
    database = rest.startsWith('/') ? rest.slice(1) : rest;
  }
  if (database !== undefined) {
    database = decode(database);
    if (database === '') database = undefined;
    else if (database.includes('/'))
      return new UrlProblem(`'${url}': '${database}' is not a database name`, `write '${URL_EXAMPLE}'`);
  }

  const params = new Map<string, string>();
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = decode(eq >= 0 ? part.slice(0, eq) : part);
    const value = decode(eq >= 0 ? part.slice(eq + 1) : '');
    if (!(PARAMETERS as readonly string[]).includes(key)) {
      return new UrlProblem(
        `URL parameter '${key}' is not supported`,
        key === 'ssl'
          ? `write sslmode=require for an encrypted connection (sslmode=disable for none)`
          : `remove it; the URL may carry ${PARAMETERS.map((p) => `'${p}'`).join(', ')} (credentials are best given as 'username' and 'password')`,
      );
    }
    params.set(key, value);
  }
  let ssl: PostgresAddress['ssl'];
  const sslmode = params.get('sslmode');
  if (sslmode !== undefined) {
    if (sslmode === 'disable' || sslmode === 'allow' || sslmode === 'prefer') ssl = 'disable';
    else if (sslmode === 'require') ssl = 'require';
    else {
      return new UrlProblem(
        `sslmode '${sslmode}' is not supported`,
        `write sslmode=disable or sslmode=require (certificate verification, verify-ca / verify-full, is not supported)`,
      );
    }
  }
  return {
    host,
    port,
    database,
    user: params.get('user'),
    password: params.get('password'),
    ssl,
    applicationName: params.get('ApplicationName'),
  };
}

/** The URL without its parameters (which may hold a password), for messages and summaries. */
export function urlForMessages(url: string): string {
  const q = url.indexOf('?');
  return q >= 0 ? url.slice(0, q) : url;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
