/**
 * The kernel's view of the UDP receivers' sockets (Linux /proc/net/udp and udp6): datagrams the
 * kernel dropped because the receive buffer was full never reach the process, so they are read
 * from there and exported, and UDP loss under overload shows in /metrics instead of being silent.
 */
import { readFileSync } from 'node:fs';
import { Gauge, type Registry } from 'prom-client';

/** A UDP socket's kernel counters from /proc/net/udp: datagrams waiting and datagrams dropped. */
export interface UdpSocketCounters {
  /** Bytes queued for the receiving process. */
  rxQueueBytes: number;
  /** Datagrams the kernel dropped (receive buffer full) since the socket opened. */
  drops: number;
}

/**
 * Reads the counters of the socket bound to local `port` from the text of /proc/net/udp (or udp6);
 * undefined when no socket has that port. Sums if several sockets share it.
 */
export function udpSocketCounters(procNetUdp: string, port: number): UdpSocketCounters | undefined {
  let found: UdpSocketCounters | undefined;
  for (const row of procNetUdp.split('\n').slice(1)) {
    const f = row.trim().split(/\s+/);
    // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops
    if (f.length < 13) continue;
    const local = f[1]!;
    if (Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16) !== port) continue;
    const queues = f[4]!;
    found ??= { rxQueueBytes: 0, drops: 0 };
    found.rxQueueBytes += Number.parseInt(queues.slice(queues.indexOf(':') + 1), 16);
    found.drops += Number(f[f.length - 1]);
  }
  return found;
}

const PROC_FILES = ['/proc/net/udp', '/proc/net/udp6'];

/** Sums the counters of `port` over /proc/net/udp and udp6; undefined where /proc is not readable (not Linux). */
export function readUdpSocketCounters(port: number, files: readonly string[] = PROC_FILES): UdpSocketCounters | undefined {
  let total: UdpSocketCounters | undefined;
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const found = udpSocketCounters(text, port);
    if (found === undefined) continue;
    total ??= { rxQueueBytes: 0, drops: 0 };
    total.rxQueueBytes += found.rxQueueBytes;
    total.drops += found.drops;
  }
  return total;
}

/**
 * Registers `ariadne_udp_kernel_dropped_datagrams{port}` and `ariadne_udp_receive_queue_bytes{port}`,
 * read from /proc at each scrape for the given ports (nothing is reported where /proc is missing).
 */
export function watchUdpKernelCounters(registry: Registry, ports: readonly number[]): void {
  // Both gauges are collected in one scrape: read /proc once for them.
  let last: { at: number; counters: ReadonlyArray<readonly [string, UdpSocketCounters | undefined]> } | undefined;
  const read = () => {
    const now = Date.now();
    if (last === undefined || now - last.at > 1000) {
      last = { at: now, counters: ports.map((port) => [String(port), readUdpSocketCounters(port)] as const) };
    }
    return last.counters;
  };
  new Gauge({
    name: 'ariadne_udp_kernel_dropped_datagrams', labelNames: ['port'] as const, registers: [registry],
    help: 'UDP datagrams the kernel dropped before Ariadne could read them (receive buffer full; raise --udp.socket-buffer and net.core.rmem_max)',
    collect() {
      for (const [port, c] of read()) if (c) this.set({ port }, c.drops);
    },
  });
  new Gauge({
    name: 'ariadne_udp_receive_queue_bytes', labelNames: ['port'] as const, registers: [registry],
    help: 'Bytes of UDP datagrams waiting in the kernel for Ariadne to read them',
    collect() {
      for (const [port, c] of read()) if (c) this.set({ port }, c.rxQueueBytes);
    },
  });
}
