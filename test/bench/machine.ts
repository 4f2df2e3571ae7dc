import { spawn } from 'node:child_process';
import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { percentile, withTempDir } from './measure.ts';
import type { Report } from './report.ts';

/** A WAL frame: a page and its 24-byte header, as SQLite appends them. */
const FRAME_BYTES = 4096 + 24;
/** About what a trade's commit appends to the WAL (see docs/scaling.md). */
const TRADE_FRAMES = 7;
/** Timings of each kind back to back; fewer after a pause, each of which waits PAUSE_MS. */
const SAMPLES = 300;
/** Long enough for an idle virtual CPU and disk to go to sleep, as between two members' bets. */
const PAUSE_MS = 20;
const PAUSED_SAMPLES = 100;
/** Written once and synced before timing, then overwritten in turn, as SQLite reuses its WAL after each checkpoint. */
const FILE_FRAMES = 1000;

/** An echo server on loopback in a process of its own, printing its port once listening. */
const ECHO_SERVER = `
const server = require('node:net').createServer((socket) => { socket.setNoDelay(true); socket.on('data', (data) => socket.write(data)); });
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
process.stdin.on('end', () => process.exit(0)).resume();
`;

const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 0.5);

/** Milliseconds each of `count` writes of `frames` frames took to reach the disk (`fdatasync`), with `pauseMs` between. */
async function flushTimes(path: string, frames: number, count: number, pauseMs: number): Promise<number[]> {
  const fd = openSync(path, 'w');
  const frame = Buffer.alloc(FRAME_BYTES, 1);
  let next = 0;
  const times: number[] = [];
  try {
    for (let f = 0; f < FILE_FRAMES; f++) writeSync(fd, frame, 0, FRAME_BYTES, f * FRAME_BYTES);
    fdatasyncSync(fd);
    for (let i = 0; i < count; i++) {
      const start = performance.now();
      for (let f = 0; f < frames; f++, next = (next + 1) % FILE_FRAMES) writeSync(fd, frame, 0, FRAME_BYTES, next * FRAME_BYTES);
      fdatasyncSync(fd);
      times.push(performance.now() - start);
      if (pauseMs > 0) await sleep(pauseMs);
    }
  } finally {
    closeSync(fd);
  }
  return times;
}

/** Microseconds each of `count` one-byte round trips to `socket` took, with `pauseMs` between. */
async function roundTrips(socket: Socket, count: number, pauseMs: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await new Promise((echoed) => {
      socket.once('data', echoed);
      socket.write('x');
    });
    times.push((performance.now() - start) * 1000);
    if (pauseMs > 0) await sleep(pauseMs);
  }
  return times;
}

async function withEchoServer<T>(work: (socket: Socket) => Promise<T>): Promise<T> {
  const server = spawn(process.execPath, ['-e', ECHO_SERVER], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((listening, failed) => {
      server.stdout.once('data', (line: Buffer) => listening(Number(line.toString())));
      server.once('exit', (code) => failed(new Error(`the echo server exited (${code ?? 'signal'})`)));
    });
    const socket = connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    await new Promise((connected) => socket.once('connect', connected));
    try {
      return await work(socket);
    } finally {
      socket.destroy();
    }
  } finally {
    server.stdin.end();
  }
}

/**
 * What this machine costs before Crux does anything: how long its disk takes to make an append durable, and how long
 * a loopback round trip between two processes takes, each back to back and after a pause. Every trade waits for the
 * first and every reply crosses processes, and on a virtual machine both change with the host from day to day, so
 * each run prints them beside Crux's own figures.
 */
export async function runMachineBench(report: Report): Promise<void> {
  await withTempDir(async (dir) => {
    const file = join(dir, 'flush.bin');
    report.figure('machine_flush_1_frame_ms', median(await flushTimes(file, 1, SAMPLES, 0)), 2);
    report.figure(`machine_flush_${TRADE_FRAMES}_frames_ms`, median(await flushTimes(file, TRADE_FRAMES, SAMPLES, 0)), 2);
    report.figure('machine_flush_after_pause_ms', median(await flushTimes(file, 1, PAUSED_SAMPLES, PAUSE_MS)), 2);
  });
  await withEchoServer(async (socket) => {
    report.figure('machine_loopback_rtt_us', median(await roundTrips(socket, SAMPLES, 0)));
    report.figure('machine_loopback_rtt_after_pause_us', median(await roundTrips(socket, PAUSED_SAMPLES, PAUSE_MS)));
  });
  report.note(`each a median: writes of ${FRAME_BYTES}-byte frames then fdatasync, and one-byte TCP echoes to another process; "after pause" waits ${PAUSE_MS} ms before each`);
}
