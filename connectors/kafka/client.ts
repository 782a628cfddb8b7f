// Shared kafkajs client setup for the 'kafka' connector and the CLI's generate/tail: bootstrap
// servers plus the Java client's 'properties.*' names mapped to kafkajs settings (SASL, SSL,
// timeouts). Unknown properties are rejected at plan time, so a typo does not silently do nothing.

import { readFileSync } from 'node:fs';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { resolve } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import { createRequire } from 'node:module';
import type { Kafka, KafkaConfig, logLevel, RetryOptions, SASLOptions } from 'kafkajs';

/**
 * kafkajs, loaded the first time a client is made: jobs without a broker (and the job's thread of
 * a job that only reads from one: its reader thread has its own) do not pay its ~40 ms load.
 */
export function kafkajs(): typeof import('kafkajs') {
  return (loaded ??= createRequire(import.meta.url)('kafkajs') as typeof import('kafkajs'));
}
let loaded: typeof import('kafkajs') | undefined;

/** Everything needed to make clients for one table (or one CLI command), read once. */
export interface KafkaClientSettings {
  readonly brokers: readonly string[];
  readonly kafka: KafkaConfig;
  /** Consumer tuning taken from properties (session timeout etc.). */
  readonly consumer: {
    readonly sessionTimeout?: number;
    readonly heartbeatInterval?: number;
    readonly maxBytesPerPartition: number;
    readonly maxBytes?: number;
    readonly maxWaitTimeInMs: number;
    readonly minBytes?: number;
    readonly readUncommitted: boolean;
  };
  readonly producer: { readonly compressionGzip: boolean };
}

/**
 * 'max.partition.fetch.bytes' unless set (the Java client's is 1 MiB). kafkajs decodes a whole
 * fetch response before handing any of it on, and its message objects are several times the size
 * of the records: with 1 MiB per partition a fetch no longer fits the young generation, most of it
 * is promoted, and collecting it took a third of the reader thread's time (bench case (d)). Small
 * fetches die young; the broker answers the next one at once.
 */
export const DEFAULT_PARTITION_FETCH_BYTES = 128 * 1024;

/** Thrown for a property we cannot honour; the caller turns it into an OptionError at the table. */
export class KafkaPropertyError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/**
 * Retries with backoff for a broker that is briefly away (restart, leader move): about 30 s in
 * total before an operation fails, so a rolling restart does not fail a job.
 */
export const CLIENT_RETRY: RetryOptions = {
  retries: 12,
  initialRetryTime: 300,
  maxRetryTime: 5_000,
  factor: 0.2,
  multiplier: 2,
};

/** Java client properties kafkajs has no use for (they tune the Java client); accepted and ignored. */
const IGNORED = new Set([
  'auto.offset.reset', // the startup mode decides where reading starts
  'enable.auto.commit', // offsets are committed only after rows are safely in the sinks
  'auto.commit.interval.ms',
  'key.deserializer',
  'value.deserializer',
  'key.serializer',
  'value.serializer',
  'max.poll.records',
  'max.poll.interval.ms',
  'batch.size',
  'linger.ms',
  'buffer.memory',
  'acks', // always all in-sync replicas (-1)
  'enable.idempotence',
  'max.in.flight.requests.per.connection',
  'partition.discovery.interval.ms',
  'client.dns.lookup',
  'receive.buffer.bytes',
  'send.buffer.bytes',
  'metadata.max.age.ms',
  'reconnect.backoff.ms',
  'reconnect.backoff.max.ms',
  'ssl.endpoint.identification.algorithm.enabled',
]);

const SUPPORTED = [
  'client.id',
  'security.protocol',
  'sasl.mechanism',
  'sasl.jaas.config',
  'sasl.username',
  'sasl.password',
  'ssl.ca.location',
  'ssl.certificate.location',
  'ssl.key.location',
  'ssl.key.password',
  'ssl.endpoint.identification.algorithm',
  'request.timeout.ms',
  'connections.max.idle.ms',
  'socket.connection.setup.timeout.ms',
  'retries',
  'retry.backoff.ms',
  'session.timeout.ms',
  'heartbeat.interval.ms',
  'max.partition.fetch.bytes',
  'fetch.max.bytes',
  'fetch.max.wait.ms',
  'fetch.min.bytes',
  'isolation.level',
  'compression.type',
];

function positiveInt(props: ReadonlyMap<string, string>, name: string): number | undefined {
  const text = props.get(name);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0)
    throw new KafkaPropertyError(`property '${name}' must be a whole number, got '${text}'`);
  return n;
}

/** Reads `username="…" password="…"` out of a Java JAAS line (PlainLoginModule / ScramLoginModule). */
function jaasCredentials(jaas: string): { username?: string; password?: string } {
  const field = (name: string) =>
    new RegExp(`\\b${name}\\s*=\\s*"((?:[^"\\\\]|\\\\.)*)"`).exec(jaas)?.[1]?.replace(/\\(.)/g, '$1');
  return { username: field('username'), password: field('password') };
}

function saslOptions(props: ReadonlyMap<string, string>): SASLOptions {
  const mechanism = (props.get('sasl.mechanism') ?? 'PLAIN').toUpperCase();
  const fromJaas = jaasCredentials(props.get('sasl.jaas.config') ?? '');
  const username = props.get('sasl.username') ?? fromJaas.username;
  const password = props.get('sasl.password') ?? fromJaas.password;
  if (username === undefined || password === undefined) {
    throw new KafkaPropertyError(
      `SASL needs a user name and password`,
      `set 'properties.sasl.jaas.config' = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p";' (or 'properties.sasl.username' / 'properties.sasl.password')`,
    );
  }
  switch (mechanism) {
    case 'PLAIN':
      return { mechanism: 'plain', username, password };
    case 'SCRAM-SHA-256':
      return { mechanism: 'scram-sha-256', username, password };
    case 'SCRAM-SHA-512':
      return { mechanism: 'scram-sha-512', username, password };
    default:
      throw new KafkaPropertyError(
        `'properties.sasl.mechanism' = '${mechanism}' is not supported`,
        `use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512`,
      );
  }
}

function sslOptions(props: ReadonlyMap<string, string>, cwd: string): ConnectionOptions | true {
  const file = (name: string): string | undefined => {
    const path = props.get(name);
    if (path === undefined) return undefined;
    try {
      return readFileSync(resolve(cwd, path), 'utf8');
    } catch (e) {
      throw new KafkaPropertyError(`property '${name}': cannot read '${path}' (${(e as Error).message})`);
    }
  };
  const opts: ConnectionOptions = {};
  const ca = file('ssl.ca.location');
  const cert = file('ssl.certificate.location');
  const key = file('ssl.key.location');
  if (ca !== undefined) opts.ca = ca;
  if (cert !== undefined) opts.cert = cert;
  if (key !== undefined) opts.key = key;
  const passphrase = props.get('ssl.key.password');
  if (passphrase !== undefined) opts.passphrase = passphrase;
  // An empty algorithm switches host name verification off, as in the Java client.
  if (props.get('ssl.endpoint.identification.algorithm') === '') opts.checkServerIdentity = () => undefined;
  return Object.keys(opts).length === 0 ? true : opts;
}

/**
 * kafkajs' logLevel values, written out: settings are made at plan time, and reading them from
 * kafkajs would load it in the job's thread of every Kafka job (its reader threads load their own).
 */
const LOG_LEVELS: Readonly<Record<string, number>> = { error: 1, warn: 2, info: 4, debug: 5 };

/** Log level from FINTRANS_KAFKA_LOG (error|warn|info|debug); quiet by default (0): errors reach the user as ConnectorErrors. */
function clientLogLevel(): logLevel {
  return (LOG_LEVELS[(process.env.FINTRANS_KAFKA_LOG ?? '').toLowerCase()] ?? 0) as logLevel;
}

/** Builds client settings from 'host:port,host:port' and the table's 'properties.*' (without the 'properties.' prefix). */
export function kafkaClientSettings(
  brokersText: string,
  props: ReadonlyMap<string, string>,
  cwd: string,
  clientId = 'fintrans-sql',
): KafkaClientSettings {
  for (const name of props.keys()) {
    if (!IGNORED.has(name) && !SUPPORTED.includes(name)) {
      throw new KafkaPropertyError(
        `Kafka client property '${name}' is not supported`,
        `supported: ${SUPPORTED.join(', ')}`,
      );
    }
  }
  const brokers = brokersText
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
  if (brokers.length === 0 || brokers.some((b) => !/^[^\s:]+:\d+$/.test(b))) {
    throw new KafkaPropertyError(`bootstrap servers must be host:port[,host:port...], got '${brokersText}'`);
  }
  const protocol = (props.get('security.protocol') ?? 'PLAINTEXT').toUpperCase();
  if (!['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'].includes(protocol)) {
    throw new KafkaPropertyError(
      `'properties.security.protocol' = '${protocol}' is not known`,
      `use PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL`,
    );
  }
  const compression = props.get('compression.type') ?? 'none';
  if (compression !== 'none' && compression !== 'gzip') {
    throw new KafkaPropertyError(
      `'properties.compression.type' = '${compression}' is not supported`,
      `use 'gzip' or 'none'`,
    );
  }
  const isolation = props.get('isolation.level') ?? 'read_committed';
  if (isolation !== 'read_committed' && isolation !== 'read_uncommitted') {
    throw new KafkaPropertyError(
      `'properties.isolation.level' must be read_committed or read_uncommitted, got '${isolation}'`,
    );
  }
  const retries = positiveInt(props, 'retries');
  const backoff = positiveInt(props, 'retry.backoff.ms');
  const kafka: KafkaConfig = {
    clientId: props.get('client.id') ?? clientId,
    brokers: brokers,
    logLevel: clientLogLevel(),
    retry: {
      ...CLIENT_RETRY,
      ...(retries !== undefined ? { retries } : {}),
      ...(backoff !== undefined ? { initialRetryTime: Math.max(1, backoff) } : {}),
    },
    connectionTimeout: positiveInt(props, 'socket.connection.setup.timeout.ms') ?? 3_000,
    requestTimeout: positiveInt(props, 'request.timeout.ms') ?? 30_000,
  };
  if (protocol === 'SSL' || protocol === 'SASL_SSL') kafka.ssl = sslOptions(props, cwd);
  if (protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL') kafka.sasl = saslOptions(props);
  return {
    brokers,
    kafka,
    consumer: {
      sessionTimeout: positiveInt(props, 'session.timeout.ms'),
      heartbeatInterval: positiveInt(props, 'heartbeat.interval.ms'),
      maxBytesPerPartition: positiveInt(props, 'max.partition.fetch.bytes') ?? DEFAULT_PARTITION_FETCH_BYTES,
      maxBytes: positiveInt(props, 'fetch.max.bytes'),
      // Short fetch waits keep shutdown quick (disconnect waits for the fetch in flight).
      maxWaitTimeInMs: positiveInt(props, 'fetch.max.wait.ms') ?? 500,
      minBytes: positiveInt(props, 'fetch.min.bytes'),
      readUncommitted: isolation === 'read_uncommitted',
    },
    producer: { compressionGzip: compression === 'gzip' },
  };
}

/** A kafkajs client plus the sockets it opened, so close() can end every one of them. */
export interface KafkaClient {
  readonly kafka: Kafka;
  /**
   * Destroys sockets still open after the client's disconnect(). kafkajs can keep one: after a
   * broker restart, a coordinator connection dropped from its pool reconnects on the next
   * heartbeat and is never closed, which keeps the process alive after the job ended.
   */
  destroyLeftoverSockets(): void;
}

/**
 * Node's codes for a broker certificate this client rejects (unknown CA, self-signed, expired, not
 * for this host). Retrying cannot fix these, but kafkajs reports them as retriable connection
 * errors (about 45 s of CLIENT_RETRY before a job fails), so createKafka checks them up front.
 */
const CERT_ERROR =
  /^(?:UNABLE_TO_|SELF_SIGNED_CERT|DEPTH_ZERO_SELF_SIGNED_CERT|CERT_|ERR_TLS_CERT_ALTNAME_INVALID)/;

/** One TLS handshake with a broker: its certificate error, or undefined (accepted, unreachable or slow: kafkajs deals with those). */
function certificateError(
  broker: string,
  ssl: ConnectionOptions,
  timeoutMs: number,
): Promise<NodeJS.ErrnoException | undefined> {
  const at = broker.lastIndexOf(':');
  const host = broker.slice(0, at);
  return new Promise((done) => {
    const socket = tlsConnect({
      host,
      port: Number(broker.slice(at + 1)),
      ...(isIP(host) ? {} : { servername: host }),
      ...ssl,
    });
    const finish = (e?: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      done(e);
    };
    const timer = setTimeout(() => finish(), timeoutMs);
    socket.once('secureConnect', () => finish());
    socket.once('error', (e: NodeJS.ErrnoException) =>
      finish(e.code !== undefined && CERT_ERROR.test(e.code) ? e : undefined),
    );
  });
}

/** Makes every admin/producer/consumer connect() check the seed brokers' certificates first (once per client). */
function checkCertificatesOnConnect(kafka: Kafka, settings: KafkaClientSettings): void {
  const ssl = settings.kafka.ssl === true ? {} : (settings.kafka.ssl as ConnectionOptions);
  let checked: Promise<void> | undefined;
  const check = () =>
    (checked ??= (async () => {
      for (const broker of settings.brokers) {
        const e = await certificateError(broker, ssl, settings.kafka.connectionTimeout ?? 3_000);
        if (e) {
          throw new Error(
            `the TLS certificate of broker ${broker} is not accepted: ${e.message} (check 'properties.ssl.ca.location'` +
              `${e.code === 'ERR_TLS_CERT_ALTNAME_INVALID' ? ', and that the bootstrap servers use a host name the certificate names' : ''})`,
          );
        }
      }
    })());
  wrapConnect(kafka, (connect) => async () => {
    await check();
    return connect();
  });
}

type Connectable = { connect(): Promise<void>; disconnect(): Promise<void> };

/** Replaces connect() of every admin, producer and consumer this Kafka instance makes. */
function wrapConnect(
  kafka: Kafka,
  wrap: (connect: () => Promise<void>, client: Connectable) => () => Promise<void>,
): void {
  const patch = <C extends Connectable>(client: C): C => {
    client.connect = wrap(client.connect.bind(client), client);
    return client;
  };
  const admin = kafka.admin.bind(kafka);
  const producer = kafka.producer.bind(kafka);
  const consumer = kafka.consumer.bind(kafka);
  kafka.admin = (config) => patch(admin(config));
  kafka.producer = (config) => patch(producer(config));
  kafka.consumer = (config) => patch(consumer(config));
}

/**
 * Makes every admin/producer/consumer connect() fail at once when a broker answers a plaintext
 * connection with TLS, with a hint: kafkajs would report only "Closed connection", after retrying
 * for about 45 s (its retry timers still run out in the background, so the process exits only
 * then, but the error is known at once).
 */
function failFastOnTls(kafka: Kafka, failures: Set<(broker: string) => void>): void {
  wrapConnect(
    kafka,
    (connect, client) => () =>
      new Promise<void>((resolve, reject) => {
        const fail = (broker: string) => {
          failures.delete(fail);
          reject(
            new Error(
              `broker ${broker} answered a plaintext connection with TLS: does the broker expect TLS? set 'properties.security.protocol' = 'SSL' (or 'SASL_SSL')`,
            ),
          );
          void client.disconnect().catch(() => undefined);
        };
        failures.add(fail);
        connect()
          .then(resolve, reject)
          .finally(() => failures.delete(fail));
      }),
  );
}

export function createKafka(settings: KafkaClientSettings): KafkaClient {
  const sockets = new Set<Socket>();
  // kafkajs' own socket factory, plus bookkeeping.
  const socketFactory = ({
    host,
    port,
    ssl,
    onConnect,
  }: {
    host: string;
    port: number;
    ssl: ConnectionOptions;
    onConnect: () => void;
  }): Socket => {
    const socket = ssl
      ? tlsConnect({ host, port, ...(isIP(host) ? {} : { servername: host }), ...ssl }, onConnect)
      : netConnect({ host, port }, onConnect);
    if (!ssl) {
      // A TLS listener answers the first plaintext request with a TLS alert record and closes;
      // kafkajs only sees "Closed connection" (after its retries): remember it for a hint.
      socket.once('data', (chunk: Buffer) => {
        if (chunk.length >= 2 && chunk[0] === TLS_ALERT && chunk[1] === 3) {
          tlsListenersSeen.add(`${host}:${port}`);
          for (const fail of tlsFailures) fail(`${host}:${port}`);
        }
      });
    }
    socket.setKeepAlive(true, 60_000);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    return socket;
  };
  const kafka = new (kafkajs().Kafka)({ ...settings.kafka, socketFactory });
  const tlsFailures = new Set<(broker: string) => void>();
  if (settings.kafka.ssl) checkCertificatesOnConnect(kafka, settings);
  else failFastOnTls(kafka, tlsFailures);
  return {
    kafka,
    destroyLeftoverSockets() {
      for (const s of sockets) {
        // 'end' runs kafkajs' own teardown for the connection (its request-queue timers keep the
        // process alive otherwise), then the socket goes.
        s.emit('end');
        s.destroy();
      }
      sockets.clear();
    },
  };
}

/** 'localhost:9092' or 'a:9092,b:9092' for messages. */
export function brokersText(settings: KafkaClientSettings): string {
  return settings.brokers.join(',');
}

/** First byte of a TLS alert record. */
const TLS_ALERT = 0x15;
/** Brokers (host:port) that answered a plaintext connection with TLS, in this process. */
const tlsListenersSeen = new Set<string>();

/**
 * The message of an error from kafkajs, with its cause when it wraps one (retries exhausted), and
 * a hint when a plaintext connection reached a broker that speaks TLS on that port.
 */
export function kafkaErrorText(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause =
    (e as Error & { cause?: unknown; originalError?: unknown }).originalError ??
    (e as Error & { cause?: unknown }).cause;
  const inner = cause instanceof Error && cause.message !== e.message ? ` (${cause.message})` : '';
  const text = `${e.message}${inner}`;
  if (tlsListenersSeen.size > 0 && /closed connection|connection error/i.test(text)) {
    return `${text}; broker ${[...tlsListenersSeen].join(', ')} answered with TLS: does the broker expect TLS? set 'properties.security.protocol' = 'SSL' (or 'SASL_SSL')`;
  }
  return text;
}
