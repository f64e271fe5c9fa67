/** /proc/net/udp parsing (table) and the exported gauges for a real bound socket. */
import { createSocket } from 'node:dgram';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { readUdpSocketCounters, udpSocketCounters, watchUdpKernelCounters } from './udp-kernel.js';

const PROC_NET_UDP = [
  '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops             ',
  ' 1024: 0100007F:9C41 00000000:0000 07 00000000:0000F000 00 00000000:00000000 00000000     0        0 123456 2 0000000000000000 17        ',
  ' 1025: 0100007F:9C42 00000000:0000 07 00000000:00000000 00 00000000:00000000 00000000     0        0 123457 2 0000000000000000 0         ',
  ' 1026: 00000000:0202 00000000:0000 07 00000000:00000000 00 00000000:00000000 00000000     0        0 123458 2 0000000000000000 4         ',
  '',
].join('\n');

describe('udpSocketCounters', () => {
  const table: Array<{ name: string; port: number; want: ReturnType<typeof udpSocketCounters> }> = [
    { name: 'queued bytes and drops of a loopback socket', port: 0x9c41, want: { rxQueueBytes: 0xf000, drops: 17 } },
    { name: 'idle socket', port: 0x9c42, want: { rxQueueBytes: 0, drops: 0 } },
    { name: 'socket on every address', port: 514, want: { rxQueueBytes: 0, drops: 4 } },
    { name: 'no such port', port: 9, want: undefined },
  ];
  for (const t of table) it(t.name, () => expect(udpSocketCounters(PROC_NET_UDP, t.port)).toEqual(t.want));
});

describe.runIf(process.platform === 'linux')('on this Linux machine', () => {
  it('reads a bound socket\'s counters and exports them by port', async () => {
    const socket = createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    const port = socket.address().port;
    try {
      expect(readUdpSocketCounters(port)).toEqual({ rxQueueBytes: 0, drops: 0 });
      const registry = new Registry();
      watchUdpKernelCounters(registry, [port]);
      const text = await registry.metrics();
      expect(text).toContain(`ariadne_udp_kernel_dropped_datagrams{port="${port}"} 0`);
      expect(text).toContain(`ariadne_udp_receive_queue_bytes{port="${port}"} 0`);
    } finally {
      socket.close();
    }
    expect(readUdpSocketCounters(port)).toBeUndefined();
  });
});
