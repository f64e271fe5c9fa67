/**
 * The ingest ceiling: a bare node:http server that reads each body and JSON.parse()s it, nothing else.
 * It runs on a worker thread of the benchmark process, so it has a core's event loop to itself as the
 * real server does, and its own CPU time can be read from /proc/thread-self/stat.
 */
import { Worker } from 'node:worker_threads';
import { cpuSecondsFromStat } from './server-process.js';

/** A running ceiling server. */
export interface CeilingServer {
  url: string;
  /** CPU seconds used by the server thread so far, and spans it has parsed. */
  stats(): Promise<{ cpuSeconds: number; parsedSpans: number }>;
  close(): Promise<void>;
}

// Plain JavaScript evaluated in the worker: no loader needed there.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createServer } = require('node:http');
const { readFileSync } = require('node:fs');
let parsedSpans = 0;
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    try {
      const spans = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      parsedSpans += Array.isArray(spans) ? spans.length : 0;
      res.statusCode = 202;
    } catch {
      res.statusCode = 400;
    }
    res.end();
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ type: 'listening', port: server.address().port }));
parentPort.on('message', (m) => {
  if (m === 'stats') {
    parentPort.postMessage({ type: 'stats', stat: readFileSync('/proc/thread-self/stat', 'utf8'), parsedSpans });
  } else if (m === 'close') {
    server.closeAllConnections();
    server.close(() => parentPort.close());
  }
});
`;

/** Starts the ceiling server on a loopback port. */
export async function startCeilingServer(): Promise<CeilingServer> {
  const worker = new Worker(WORKER_SOURCE, { eval: true });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (m: { type: string; port: number }) => resolve(m.port));
  });
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}/api/v2/spans`,
    stats() {
      return new Promise((resolve) => {
        worker.once('message', (m: { stat: string; parsedSpans: number }) => {
          resolve({ cpuSeconds: cpuSecondsFromStat(m.stat), parsedSpans: m.parsedSpans });
        });
        worker.postMessage('stats');
      });
    },
    close() {
      closing ??= (async () => {
        const done = new Promise((r) => worker.once('exit', r));
        worker.postMessage('close');
        const timer = setTimeout(() => void worker.terminate(), 5000);
        await done;
        clearTimeout(timer);
      })();
      return closing;
    },
  };
}
