#!/usr/bin/env node
// Process 1 of fresh network and PID namespaces (started by `unshare -n -p -f --mount-proc`):
// brings loopback up, proves nothing else is reachable, relays 127.0.0.1:<port> to the fake
// provider's Unix socket, runs the command (converge) and exits with its code. Everything the
// command starts, the real CLIs included, shares these namespaces, so the fake provider is all they
// can reach.
//
// When the command has exited, any process still alive in the namespace was left behind by it (a
// CLI whose process group was not stopped): their command lines are printed as one JSON line on
// stderr, {"left_behind": [...]}. Then this process exits, and the kernel ends whatever remained.
//
//   node real-cli-offline-launcher.mjs <socket> <port> <command> [args…]
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

const [socketPath, portText, command, ...args] = process.argv.slice(2);
if (socketPath === undefined || portText === undefined || command === undefined) {
  console.error('usage: real-cli-offline-launcher.mjs <socket> <port> <command> [args…]');
  process.exit(2);
}

const lo = spawnSync('ip', ['link', 'set', 'lo', 'up'], { stdio: 'inherit' });
if (lo.status !== 0) {
  console.error('offline launcher: `ip link set lo up` failed');
  process.exit(97);
}

// A namespace with only loopback has no route: a connection to a public address fails at once.
const outside = await new Promise((resolve) => {
  const probe = connect({ host: '1.1.1.1', port: 443, timeout: 2000 });
  probe.once('connect', () => resolve('connected'));
  probe.once('timeout', () => resolve('timeout'));
  probe.once('error', (error) => resolve(error.code ?? 'error'));
});
if (outside === 'connected') {
  console.error('offline launcher: 1.1.1.1:443 is reachable, so this is not a loopback-only namespace');
  process.exit(98);
}

const relay = createServer((client) => {
  const upstream = connect(socketPath);
  const end = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', end).on('close', end);
  upstream.on('error', end).on('close', end);
  client.pipe(upstream).pipe(client);
});
await new Promise((resolve) => relay.listen(Number(portText), '127.0.0.1', resolve));

const child = spawn(command, args, { stdio: 'inherit' });
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => child.kill(signal));
const exit = await new Promise((resolve) => {
  child.once('error', (error) => {
    console.error(`offline launcher: ${command} did not start: ${error.message}`);
    resolve({ code: 127 });
  });
  child.once('exit', (code, signal) => resolve({ code: code ?? 128 + (signal === 'SIGKILL' ? 9 : 15) }));
});
relay.close();

// Give processes that were just signalled a moment to go, then report the rest.
let left = othersAlive();
for (let waited = 0; left.length > 0 && waited < 3000; waited += 100) {
  await sleep(100);
  left = othersAlive();
}
if (left.length > 0) console.error(JSON.stringify({ left_behind: left }));
process.exit(exit.code);

/** Live processes of this PID namespace other than this one (zombies do not count). */
function othersAlive() {
  const found = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2))) continue;
      found.push(readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim().slice(0, 300));
    } catch {
      // Gone while we looked.
    }
  }
  return found;
}
