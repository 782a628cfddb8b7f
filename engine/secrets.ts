// Secret option values (passwords, JAAS lines, tokens) and keeping them out of everything
// fintrans-sql prints or serves: error messages, logs, the dashboard, /api/status, /metrics.
//
// Every value of a secret option that this process has seen is remembered (the planner reports
// each one as it reads a table's options; `up` also scans the raw text of each job file, which
// covers files that do not even parse), and redact() replaces those values wherever they appear.
// Three shapes are also redacted without knowing the value: `'<secret key>' = '…'` (SQL text
// quoted back), `password="…"` (inside a JAAS line) and `scheme://user:…@` (a password in a URL).

/** Values shorter than this are redacted only in the two shapes above: replacing every 'ab' in a message would make it unreadable. */
const MIN_REDACTED_LENGTH = 4;
export const REDACTED = '***';

/** Whether an option (or a Kafka property) holds a secret: password, sasl.jaas.config, ssl.key.password, properties.*password*, anything with secret or token, a registry's basic-auth user-info (user:password). */
export function isSecretOption(key: string): boolean {
  const k = key.toLowerCase();
  return (
    k.includes('password') ||
    k.includes('secret') ||
    k.includes('token') ||
    k.endsWith('jaas.config') ||
    k.endsWith('user-info')
  );
}

/** Quoted SQL option pairs: `'key' = 'value'` ('' inside a literal is one quote). */
const OPTION_PAIR = /'((?:[^']|'')*)'(\s*=\s*)'((?:[^']|'')*)'/g;
/** The same, also with the `=` missing (a file that does not parse still has its secrets). */
const WRITTEN_OPTION = /'((?:[^']|'')*)'\s*(?:=\s*)?'((?:[^']|'')*)'/g;
const JAAS_PASSWORD = /(\bpassword\s*=\s*)"((?:[^"\\]|\\.)*)"/gi;
/** A password in a URL: `http://user:password@host` (e.g. in an Elasticsearch 'hosts'). */
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@'"]+:)([^\s/@'"]+)@/gi;

class SecretRegistry {
  private readonly values = new Set<string>();
  /** Longest first, so a value that contains another is replaced whole. */
  private sorted: string[] | undefined;

  /** Remembers the value of an option if the option is a secret. */
  option(key: string, value: string): void {
    if (!isSecretOption(key)) return;
    this.add(value);
    for (const m of value.matchAll(JAAS_PASSWORD)) this.add(m[2]!.replace(/\\(.)/g, '$1'));
  }

  /** Remembers the secret options written in a job's text, with `${VAR}`s replaced from env (unset ones stay as written). */
  sqlText(text: string, env: NodeJS.ProcessEnv = process.env): void {
    for (const m of text.matchAll(WRITTEN_OPTION)) {
      const key = m[1]!.replace(/''/g, "'");
      const value = m[2]!.replace(/''/g, "'");
      this.option(
        key,
        value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) => env[name] ?? whole),
      );
    }
  }

  private add(value: string): void {
    if (value.length < MIN_REDACTED_LENGTH || this.values.has(value)) return;
    this.values.add(value);
    this.sorted = undefined;
  }

  redact(text: string): string {
    let out = text;
    this.sorted ??= [...this.values].sort((a, b) => b.length - a.length);
    for (const v of this.sorted) if (out.includes(v)) out = out.split(v).join(REDACTED);
    out = out.replace(OPTION_PAIR, (whole, key: string, eq: string) =>
      isSecretOption(key.replace(/''/g, "'")) ? `'${key}'${eq}'${REDACTED}'` : whole,
    );
    out = out.replace(JAAS_PASSWORD, (_whole, head: string) => `${head}"${REDACTED}"`);
    return out.replace(URL_PASSWORD, (_whole, head: string) => `${head}${REDACTED}@`);
  }
}

/** This process's secrets (each fintrans-sql process plans its own jobs, so each knows its own). */
export const secrets = new SecretRegistry();

/** `text` with every known secret replaced by ***. */
export function redact(text: string): string {
  return secrets.redact(text);
}
