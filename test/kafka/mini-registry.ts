// A minimal schema registry speaking the Confluent API (schemas by id, registration per subject),
// inside the tests: an Apicurio Registry could not be started on this machine (the evidence is in
// the header of test/kafka/avro.test.ts).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A Confluent-API registry in the test (schemas by id, registration per subject). */
export class MiniRegistry {
  readonly schemas: string[] = [];
  readonly subjects = new Map<string, number[]>();
  private server!: Server;
  url = '';
  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const byId = /\/schemas\/ids\/(\d+)$/.exec(req.url ?? '');
        const register = /\/subjects\/([^/]+)\/versions$/.exec(req.url ?? '');
        res.setHeader('content-type', 'application/json');
        if (req.method === 'GET' && byId && this.schemas[Number(byId[1]) - 1]) {
          res.end(JSON.stringify({ schema: this.schemas[Number(byId[1]) - 1] }));
        } else if (req.method === 'POST' && register) {
          res.end(
            JSON.stringify({ id: this.register(decodeURIComponent(register[1]!), JSON.parse(body).schema) }),
          );
        } else {
          res.statusCode = 404;
          res.end(JSON.stringify({ error_code: 40403, message: 'Schema not found' }));
        }
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/apis/ccompat/v7`;
  }
  register(subject: string, schema: string): number {
    let id = this.schemas.indexOf(schema) + 1;
    if (id === 0) id = this.schemas.push(schema);
    this.subjects.set(subject, [...(this.subjects.get(subject) ?? []), id]);
    return id;
  }
  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}
