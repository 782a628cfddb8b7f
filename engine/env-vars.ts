// `${NAME}` in a WITH option value is replaced by the environment variable NAME when the job is
// planned, so secrets (and per-machine settings) need not be written in job files:
//   'properties.sasl.jaas.config' = '... username="jobs" password="${KAFKA_PASSWORD}";'
// An unset variable is an error naming it; `$${` writes a literal `${`. Values of secret options
// are remembered (after substitution) so that they are redacted wherever they could be printed.

import { OptionError, type SourcePos } from './errors.js';
import { secrets } from './secrets.js';

const REFERENCE = /\$(\$?)\{([^}]*)\}?/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** One WITH option's value as the job uses it: `${NAME}`s replaced, the value remembered if secret. */
export function resolveOptionValue(
  key: string,
  value: string,
  pos: SourcePos,
  table: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const resolved = value.includes('${') ? substitute(key, value, pos, table, env) : value;
  secrets.option(key, resolved);
  return resolved;
}

function substitute(
  key: string,
  value: string,
  pos: SourcePos,
  table: string,
  env: NodeJS.ProcessEnv,
): string {
  return value.replace(REFERENCE, (whole, escaped: string, name: string) => {
    if (escaped) return whole.slice(1);
    if (!whole.endsWith('}') || !NAME.test(name)) {
      throw new OptionError(
        pos,
        `option '${key}' of table '${table}': '${whole}' is not a variable reference`,
        'write ${NAME} with a letter or _ then letters, digits or _ (or $${ for a literal ${)',
      );
    }
    const v = env[name];
    if (v === undefined) {
      throw new OptionError(
        pos,
        `option '${key}' of table '${table}' uses the environment variable ${name}, which is not set`,
        `set it where fintrans-sql runs (export ${name}=...), or write the value in the file`,
      );
    }
    return v;
  });
}
