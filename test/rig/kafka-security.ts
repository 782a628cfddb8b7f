// TLS and SASL for the test broker (test/rig/kafka.ts): a throwaway CA and a server certificate
// for localhost made with openssl in a temp dir, and the broker settings for two more listeners:
// SSL (TLS only) and SASL_SSL (TLS + PLAIN or SCRAM-SHA-256/512). PLAIN users live in the
// listener's JAAS line; SCRAM credentials are written into the metadata log at format time.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KafkaExtraConfig } from './kafka.js';

export interface SecurityUser {
  name: string;
  password: string;
}

export interface KafkaSecurity {
  /** Extra config for startKafka({ extra }): listeners 'SSL' and 'SASL_SSL'. */
  extra: KafkaExtraConfig;
  /** PEM of the CA that signed the broker's certificate: what clients get as 'properties.ssl.ca.location'. */
  caPath: string;
  /** PEM of another CA, which signed nothing the broker has (a client trusting only it must fail). */
  otherCaPath: string;
  /** A PLAIN user (PlainLoginModule). */
  plain: SecurityUser;
  /** A user with SCRAM-SHA-256 and SCRAM-SHA-512 credentials. */
  scram: SecurityUser;
  /** Removes the temp dir with keys and certificates. */
  cleanup(): void;
}

function openssl(args: string[], cwd: string): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8', timeout: 60_000 });
  if (r.error || r.status !== 0) {
    throw new Error(
      `openssl ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`}): ${r.stderr ?? ''}`,
    );
  }
}

/** A CA (key + self-signed certificate) in dir as <name>.key / <name>.pem. */
function makeCa(dir: string, name: string): void {
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-subj',
      `/CN=fintrans-test-${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
}

/** Keys, certificates and broker settings for SSL and SASL_SSL listeners. Needs `openssl` on PATH. */
export function makeKafkaSecurity(): KafkaSecurity {
  const dir = mkdtempSync(join(tmpdir(), 'fintrans-kafka-tls-'));
  try {
    makeCa(dir, 'ca');
    makeCa(dir, 'other-ca');
    // The broker's key (PKCS#8, unencrypted: Kafka's PEM key store reads it without a password)
    // and a certificate for the name clients dial (localhost, as advertised) signed by the CA;
    // only that name, so dialing 127.0.0.1 exercises host name verification.
    openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'server.key'], dir);
    openssl(['req', '-new', '-key', 'server.key', '-subj', '/CN=localhost', '-out', 'server.csr'], dir);
    writeFileSync(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n');
    openssl(
      [
        'x509',
        '-req',
        '-in',
        'server.csr',
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-days',
        '2',
        '-extfile',
        'server.ext',
        '-out',
        'server.crt',
      ],
      dir,
    );
    // Kafka's PEM key store: the private key followed by the certificate chain, in one file.
    writeFileSync(
      join(dir, 'server-keystore.pem'),
      readFileSync(join(dir, 'server.key'), 'utf8') + readFileSync(join(dir, 'server.crt'), 'utf8'),
    );
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const plain = { name: 'alice', password: 'alice-secret' };
  const scram = { name: 'bob', password: 'bob-s3cret' };
  const extra: KafkaExtraConfig = {
    listeners: { SSL: 'SSL', SASL_SSL: 'SASL_SSL' },
    properties: {
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.location': join(dir, 'server-keystore.pem'),
      'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
      'listener.name.sasl_ssl.plain.sasl.jaas.config': `org.apache.kafka.common.security.plain.PlainLoginModule required user_${plain.name}="${plain.password}";`,
      'listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config':
        'org.apache.kafka.common.security.scram.ScramLoginModule required;',
      'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config':
        'org.apache.kafka.common.security.scram.ScramLoginModule required;',
    },
    formatArgs: [
      '--add-scram',
      `SCRAM-SHA-256=[name=${scram.name},password=${scram.password}]`,
      '--add-scram',
      `SCRAM-SHA-512=[name=${scram.name},password=${scram.password}]`,
    ],
  };
  return {
    extra,
    caPath: join(dir, 'ca.pem'),
    otherCaPath: join(dir, 'other-ca.pem'),
    plain,
    scram,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
