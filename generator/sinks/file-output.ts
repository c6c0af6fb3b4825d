// Where the file sinks write: a path, or "-" for stdout. Shared by the NDJSON and CSV sinks so that
// both stream the same way: lines are gathered into chunks of about 64 KiB (one write call per
// event would cost more than formatting it), each chunk is handed to the stream, and when the
// stream says its buffer is full we wait for 'drain' before producing more. Memory therefore stays
// flat however many events flow through.
//
// A regular file is written under a temporary name beside it and renamed into place only when every
// event has been written, so a failed or interrupted run never leaves a half file that looks
// complete (and an existing file survives a failed run). Devices and pipes (/dev/null, a FIFO) are
// written in place, since they cannot be renamed onto. A run that is killed outright (SIGKILL, a
// second Ctrl-C, a power cut) cannot remove its temporary file, so each run first removes those
// that earlier runs left beside its own destination.

import * as fs from "node:fs";
import * as path from "node:path";
import { once } from "node:events";
import type { Writable } from "node:stream";
import type { AccessLogEvent } from "../types";
import { LabError, UsageError } from "../errors";

/** "-" means standard output. */
export const STDOUT = "-";

/** Characters gathered before one write call; large enough to amortise the call, small enough to keep memory flat. */
const CHUNK_CHARS = 64 * 1024;

export interface FileSinkOptions {
  /** Called after each chunk with the number of events written so far, and once at the end. */
  onProgress?: (written: number) => void;
  /** Aborting stops the run between two chunks; a file destination is then left untouched. */
  signal?: AbortSignal;
}

export interface FileSinkResult {
  /** The path written, or "-" for stdout. */
  destination: string;
  /** Events written. */
  count: number;
  /** Bytes written, header included. */
  bytes: number;
}

/** The reader of stdout went away (for example `| head`). Not a failure of the data, but the output is incomplete. */
export class OutputClosedError extends LabError {
  constructor(readonly written: number) {
    super(`the reader of standard output closed it after ${written} events; the output is incomplete`);
  }
}

/**
 * Checks, without creating anything, that `destination` can be written: not a directory, and in a
 * directory that exists and is writable. `flag` names the option in the message (e.g. "--out").
 */
export function checkWritableDestination(flag: string, destination: string): void {
  if (destination === STDOUT) return;
  if (destination === "") throw new UsageError(`${flag} must be a file path or "-" for standard output, got an empty string`);
  const existing = statOrUndefined(destination);
  if (existing?.isDirectory()) {
    throw new UsageError(`${flag} ${destination} is a directory; give a file path or "-" for standard output`);
  }
  if (existing !== undefined) {
    if (!canAccess(destination, fs.constants.W_OK)) throw new UsageError(`${flag} ${destination} exists and is not writable`);
    if (!existing.isFile()) return; // a device or a pipe: written in place
  }
  const directory = path.dirname(path.resolve(realPathOrSelf(destination)));
  const parent = statOrUndefined(directory);
  if (parent === undefined) throw new UsageError(`${flag} ${destination}: directory ${directory} does not exist`);
  if (!parent.isDirectory()) throw new UsageError(`${flag} ${destination}: ${directory} is not a directory`);
  if (!canAccess(directory, fs.constants.W_OK)) throw new UsageError(`${flag} ${destination}: directory ${directory} is not writable`);
}

/**
 * Streams `events` to `destination`, one `formatEvent` result per event after an optional header.
 * Used by the NDJSON and CSV sinks; the formatter must end each record with its line break.
 */
export async function writeEventLines<Event extends object = AccessLogEvent>(
  events: Iterable<Event>,
  destination: string,
  formatEvent: (event: Event) => string,
  header: string,
  options: FileSinkOptions = {},
): Promise<FileSinkResult> {
  const { onProgress, signal } = options;
  throwIfAborted(signal, destination, 0);
  const output = await openOutput(destination);
  let count = 0;
  let bytes = 0;
  try {
    let chunk = header;
    for (const event of events) {
      chunk += formatEvent(event);
      count += 1;
      if (chunk.length >= CHUNK_CHARS) {
        bytes += await output.write(chunk, count);
        chunk = "";
        onProgress?.(count);
        throwIfAborted(signal, destination, count);
      }
    }
    if (chunk.length > 0) bytes += await output.write(chunk, count);
    await output.commit(count);
  } catch (error) {
    await output.discard();
    throw error;
  }
  onProgress?.(count);
  return { destination, count, bytes };
}

interface Output {
  /** Resolves with the chunk's byte length once the stream can take more. */
  write(chunk: string, writtenSoFar: number): Promise<number>;
  commit(written: number): Promise<void>;
  discard(): Promise<void>;
}

async function openOutput(destination: string): Promise<Output> {
  if (destination === STDOUT) return streamOutput(process.stdout, STDOUT, { owned: false });
  const existing = statOrUndefined(destination);
  if (existing !== undefined && !existing.isFile()) {
    return streamOutput(fs.createWriteStream(destination, { flags: "w" }), destination, { owned: true });
  }
  const finalPath = realPathOrSelf(destination);
  removeStalePartials(finalPath);
  const temporaryPath = partialPath(finalPath);
  const stream = fs.createWriteStream(temporaryPath, { flags: "w" });
  await waitForOpen(stream, destination);
  return streamOutput(stream, destination, {
    owned: true,
    async afterClose() {
      try {
        fs.renameSync(temporaryPath, finalPath);
      } catch (error) {
        fs.rmSync(temporaryPath, { force: true });
        throw new LabError(`cannot move the finished output into place at ${destination}: ${describeSystemError(error)}`);
      }
    },
    afterDiscard() {
      fs.rmSync(temporaryPath, { force: true });
    },
  });
}

/** The temporary name, beside `finalPath`, under which the process `pid` writes it: `.<name>.<pid>.partial` (hidden). */
export function partialPath(finalPath: string, pid: number = process.pid): string {
  return path.join(path.dirname(finalPath), `.${path.basename(finalPath)}.${pid}.partial`);
}

/**
 * Removes the temporary files of `finalPath` whose process is gone, and returns their paths. Those
 * of a running process belong to another run writing the same file right now and stay; so do the
 * temporary files of other destinations in the directory, which are not this run's business.
 */
export function removeStalePartials(finalPath: string, isRunning: (pid: number) => boolean = processIsRunning): string[] {
  const directory = path.dirname(finalPath);
  const prefix = `.${path.basename(finalPath)}.`;
  let entries: string[];
  try {
    entries = fs.readdirSync(directory);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const entry of entries) {
    if (!entry.startsWith(prefix) || !entry.endsWith(".partial")) continue;
    const pidText = entry.slice(prefix.length, -".partial".length);
    if (!/^\d+$/.test(pidText)) continue;
    const pid = Number(pidText);
    if (pid === process.pid || isRunning(pid)) continue;
    const stale = path.join(directory, entry);
    fs.rmSync(stale, { force: true });
    removed.push(stale);
  }
  return removed;
}

/** Signal 0 asks whether a process exists without touching it; EPERM means it exists under another user. */
function processIsRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function streamOutput(
  stream: Writable,
  destination: string,
  lifecycle: { owned: boolean; afterClose?: () => Promise<void>; afterDiscard?: () => void },
): Output {
  let failure: unknown;
  const onError = (error: unknown) => {
    failure ??= error;
  };
  stream.on("error", onError);
  let written = 0;

  const failed = (): Error => {
    if (destination === STDOUT && (failure as NodeJS.ErrnoException)?.code === "EPIPE") return new OutputClosedError(written);
    return new LabError(`cannot write ${destination === STDOUT ? "standard output" : destination}: ${describeSystemError(failure)}`);
  };

  const waitForDrain = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        stream.off("drain", done);
        stream.off("error", done);
        stream.off("close", done);
        resolve();
      };
      stream.on("drain", done);
      stream.on("error", done);
      stream.on("close", done);
    });

  return {
    async write(chunk, writtenSoFar) {
      if (failure !== undefined) throw failed();
      written = writtenSoFar;
      const ok = stream.write(chunk);
      if (!ok) await waitForDrain();
      if (failure !== undefined) throw failed();
      return Buffer.byteLength(chunk);
    },
    async commit(total) {
      written = total;
      if (failure !== undefined) throw failed();
      if (lifecycle.owned) {
        stream.end();
        await Promise.race([once(stream, "close"), once(stream, "error").catch(() => undefined)]);
      } else if (stream.writableNeedDrain) {
        await waitForDrain();
      }
      if (failure !== undefined) throw failed();
      stream.off("error", onError);
      await lifecycle.afterClose?.();
    },
    async discard() {
      if (lifecycle.owned) {
        stream.destroy();
        if (!stream.closed) await once(stream, "close").catch(() => undefined);
      }
      stream.off("error", onError);
      // A late EPIPE on stdout must not crash the process as an unhandled 'error' event.
      if (!lifecycle.owned) stream.on("error", () => undefined);
      lifecycle.afterDiscard?.();
    },
  };
}

async function waitForOpen(stream: fs.WriteStream, destination: string): Promise<void> {
  try {
    await once(stream, "open");
  } catch (error) {
    throw new LabError(`cannot write ${destination}: ${describeSystemError(error)}`);
  }
}

function throwIfAborted(signal: AbortSignal | undefined, destination: string, written: number): void {
  if (signal?.aborted) {
    throw new LabError(`interrupted after ${written} events; ${destination === STDOUT ? "standard output is incomplete" : `${destination} was left unchanged`}`);
  }
}

function statOrUndefined(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}

function realPathOrSelf(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return file;
  }
}

function canAccess(file: string, mode: number): boolean {
  try {
    fs.accessSync(file, mode);
    return true;
  } catch {
    return false;
  }
}

function describeSystemError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return code !== undefined && !message.includes(code) ? `${code} ${message}` : message;
}

/** Writes a small text file under a temporary name and renames it into place, so a failure leaves no half file. */
export function writeFileAtomically(flag: string, filePath: string, text: string): void {
  const finalPath = path.resolve(filePath);
  removeStalePartials(finalPath);
  const temporary = partialPath(finalPath);
  try {
    fs.writeFileSync(temporary, text);
    fs.renameSync(temporary, filePath);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw new LabError(`cannot write ${flag} ${filePath}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
