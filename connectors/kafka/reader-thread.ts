// The reader thread of a 'kafka' table on a broker (started by KafkaTopicSource, source.ts). It runs
// the table's KafkaTopicReader, so kafkajs fetches and decodes on a core of its own while the job's
// thread runs the query. Batches are handed on as soon as they are fetched, up to PREFETCH_BATCHES
// the job has not taken yet; the job asks (a 'poll') only when it has none, which is when idleness
// and the end of the input are decided.

import { parentPort, workerData } from 'node:worker_threads';
import { ConnectorError } from '../../engine/errors.js';
import { kafkaClientSettings } from './client.js';
import { KafkaTopicReader, type ReaderPollResult } from './reader.js';
import type { FromReader, ReaderFailure, ReaderInit, ToReader } from './source.js';

/** Batches handed on ahead of the job: enough that it never waits while kafkajs decodes a fetch. */
const PREFETCH_BATCHES = 16;

const port = parentPort!;
const init = workerData as ReaderInit;
const reader = new KafkaTopicReader(
  init.options,
  kafkaClientSettings(init.brokers, init.properties, init.cwd, init.clientId),
  init.where,
  init.metadataKeys,
);
let credits = PREFETCH_BATCHES;
/** The job's batch size, known from its first poll; nothing is pushed before. */
let maxRecords = 0;
let splitsSent = 0;
let stopped = false;

function send(message: FromReader, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

/** Splits found since the last message, so the job knows a split before its first batch. */
function newSplits() {
  if (reader.splits.length === splitsSent) return undefined;
  const added = reader.splits.slice(splitsSent);
  splitsSent = reader.splits.length;
  return added;
}

function sendResult(id: number, result: ReaderPollResult): void {
  const transfer: ArrayBuffer[] = [];
  if (result.kind === 'batch') {
    const b = result.batch;
    transfer.push(
      b.bytes.buffer as ArrayBuffer,
      b.lengths.buffer as ArrayBuffer,
      b.offsets.buffer as ArrayBuffer,
    );
    if (b.timestamps) transfer.push(b.timestamps.buffer as ArrayBuffer);
    if (b.keyBytes) transfer.push(b.keyBytes.buffer as ArrayBuffer, b.keyLengths!.buffer as ArrayBuffer);
  }
  send({ type: 'result', id, result, positions: reader.positions(), splits: newSplits() }, transfer);
}

function failure(e: unknown): ReaderFailure {
  return e instanceof ConnectorError
    ? { message: e.message, retriable: e.retriable, connector: true }
    : {
        message: e instanceof Error ? e.message : String(e),
        stack: e instanceof Error ? e.stack : undefined,
        retriable: false,
        connector: false,
      };
}

/** Hands on what is ready, while the job has room for it. */
function pump(): void {
  if (maxRecords === 0 || stopped) return;
  try {
    while (credits > 0) {
      const r = reader.ready(maxRecords);
      if (r === null) return;
      credits--;
      sendResult(0, r);
    }
  } catch (e) {
    // The job sees the failure after the batches before it; nothing more is pushed.
    stopped = true;
    send({ type: 'failed', id: 0, error: failure(e), splits: newSplits() });
  }
}

reader.onData = pump;

async function handle(m: ToReader): Promise<void> {
  switch (m.type) {
    case 'open':
      try {
        if (m.seek) reader.seek(m.seek);
        await reader.open();
        splitsSent = reader.splits.length;
        send({ type: 'opened', id: m.id, splits: [...reader.splits], positions: reader.positions() });
      } catch (e) {
        send({ type: 'failed', id: m.id, error: failure(e) });
      }
      return;
    case 'poll':
      maxRecords = m.maxRecords;
      try {
        sendResult(m.id, await reader.poll(m.maxRecords));
      } catch (e) {
        send({ type: 'failed', id: m.id, error: failure(e), splits: newSplits() });
        return;
      }
      pump();
      return;
    case 'ack':
      credits++;
      pump();
      return;
    case 'commit':
      reader.commit(m.positions);
      return;
    case 'close':
      stopped = true;
      try {
        await reader.close();
        send({ type: 'closed', id: m.id });
      } catch (e) {
        send({ type: 'closed', id: m.id, error: failure(e) });
      }
      return;
  }
}

port.on('message', (m: ToReader) => void handle(m));
