// ${VAR} substitution in WITH option values, and the redaction of secret option values.

import { describe, expect, it } from 'vitest';
import { resolveOptionValue } from '../../engine/env-vars.js';
import { isSecretOption, redact, secrets } from '../../engine/secrets.js';

const pos = { file: 'jobs/j.sql', line: 3, col: 5 };

describe('${VAR} in option values', () => {
  it('replaces each reference, keeps $${ literal and a lone $', () => {
    const env = { HOST: 'kafka-1', PORT: '9094' };
    expect(resolveOptionValue('properties.bootstrap.servers', '${HOST}:${PORT},b:1', pos, 't', env)).toBe(
      'kafka-1:9094,b:1',
    );
    expect(resolveOptionValue('path', 'out/$${HOST}-$5.csv', pos, 't', env)).toBe('out/${HOST}-$5.csv');
    expect(resolveOptionValue('path', 'plain.csv', pos, 't', {})).toBe('plain.csv');
  });

  it('names an unset variable, with the place', () => {
    expect(() => resolveOptionValue('password', '${NOPE}', pos, 'alerts', {})).toThrow(
      "jobs/j.sql:3:5: option 'password' of table 'alerts' uses the environment variable NOPE, which is not set\n" +
        '  hint: set it where fintrans-sql runs (export NOPE=...), or write the value in the file',
    );
  });

  it('refuses a reference that is not closed', () => {
    expect(() => resolveOptionValue('path', 'a/${DIR', pos, 't', { DIR: 'x' })).toThrow(
      "'${DIR' is not a variable reference",
    );
  });
});

describe('redaction', () => {
  it('knows which options are secret', () => {
    for (const k of [
      'password',
      'properties.sasl.jaas.config',
      'properties.ssl.key.password',
      'properties.sasl.password',
      'api-token',
      'client.secret',
      'value.avro-confluent.basic-auth.user-info',
    ])
      expect(isSecretOption(k), k).toBe(true);
    for (const k of ['path', 'username', 'properties.bootstrap.servers', 'sink.transactional-id-prefix'])
      expect(isSecretOption(k), k).toBe(false);
  });

  it('redacts the substituted value of a secret option, and the password inside a JAAS line', () => {
    const jaas = resolveOptionValue(
      'properties.sasl.jaas.config',
      'ScramLoginModule required username="jobs" password="${PW}";',
      pos,
      't',
      { PW: 'pw-from-env-1' },
    );
    expect(jaas).toContain('pw-from-env-1');
    expect(redact(`auth failed for ${jaas}`)).toBe('auth failed for ***');
    expect(redact('the broker said: bad password pw-from-env-1')).toBe('the broker said: bad password ***');
    // Not secret: left alone.
    resolveOptionValue('path', 'out/visible-path.csv', pos, 't', {});
    expect(redact('wrote out/visible-path.csv')).toBe('wrote out/visible-path.csv');
  });

  it("redacts secrets written in a job's text, also in a file that does not parse, and the quoted shapes without knowing them", () => {
    secrets.sqlText(
      `CREATE TABLE t (a INT) WITH ('connector' = 'kafka', 'properties.ssl.key.password' 'k3y-pass''word')`,
    );
    expect(redact("found 'k3y-pass'word'")).toBe("found '***'");
    expect(redact(`hint: write 'password' = 'ab'`)).toBe(`hint: write 'password' = '***'`);
    expect(redact(`x password = "q\\"z" y`)).toBe('x password = "***" y');
    expect(redact("cannot reach 'http://elastic:changeme@localhost:9200' (ECONNREFUSED)")).toBe(
      "cannot reach 'http://elastic:***@localhost:9200' (ECONNREFUSED)",
    );
    expect(redact('http://localhost:9200/_bulk')).toBe('http://localhost:9200/_bulk');
  });
});
