import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { checkWritableDestination, partialPath, removeStalePartials, writeEventLines } from "../../../generator/sinks/file-output";
import { formatNdjsonLine } from "../../../generator/sinks/ndjson";
import { LabError, UsageError } from "../../../generator/errors";
import { sampleEvents } from "./sample-events";

describe("file output of the file sinks", () => {
  let directory: string;
  beforeEach(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), "lab-file-output-"));
  });
  afterEach(() => {
    fs.rmSync(directory, { recursive: true, force: true });
  });

  describe("checking a destination before anything is written", () => {
    it("accepts stdout, a new file in an existing directory and an existing file", () => {
      checkWritableDestination("--out", "-");
      checkWritableDestination("--out", path.join(directory, "new.ndjson"));
      fs.writeFileSync(path.join(directory, "old.ndjson"), "x");
      checkWritableDestination("--out", path.join(directory, "old.ndjson"));
      checkWritableDestination("--out", "/dev/null");
    });

    it("rejects a directory, naming the flag and the path", () => {
      expect(() => checkWritableDestination("--out", directory))
        .to.throw(UsageError, `--out ${directory} is a directory`);
    });

    it("rejects a file in a directory that does not exist, and creates nothing", () => {
      const missing = path.join(directory, "no-such-dir", "events.ndjson");
      expect(() => checkWritableDestination("--truth", missing))
        .to.throw(UsageError, `--truth ${missing}: directory ${path.join(directory, "no-such-dir")} does not exist`);
      expect(fs.readdirSync(directory)).to.deep.equal([]);
    });
  });

  describe("writing", () => {
    it("replaces an existing file only once every event is written", async () => {
      const target = path.join(directory, "events.ndjson");
      fs.writeFileSync(target, "previous content\n");
      await writeEventLines(sampleEvents(3), target, formatNdjsonLine, "");
      expect(fs.readFileSync(target, "utf8").split("\n")).to.have.length(4);
      expect(fs.readdirSync(directory)).to.deep.equal(["events.ndjson"]);
    });

    it("leaves an existing file untouched and no temporary file behind when the events fail half-way", async () => {
      const target = path.join(directory, "events.ndjson");
      fs.writeFileSync(target, "previous content\n");
      function* failing() {
        yield* sampleEvents(5000);
        throw new LabError("generator broke");
      }
      let caught: unknown;
      try {
        await writeEventLines(failing(), target, formatNdjsonLine, "");
      } catch (error) {
        caught = error;
      }
      expect(caught).to.be.instanceOf(LabError).with.property("message", "generator broke");
      expect(fs.readFileSync(target, "utf8")).to.equal("previous content\n");
      expect(fs.readdirSync(directory)).to.deep.equal(["events.ndjson"]);
    });

    it("stops between chunks when aborted and does not create the file", async () => {
      const target = path.join(directory, "events.ndjson");
      const controller = new AbortController();
      let caught: unknown;
      try {
        await writeEventLines(sampleEvents(100_000), target, formatNdjsonLine, "", {
          signal: controller.signal,
          onProgress: (written) => {
            if (written > 1000) controller.abort();
          },
        });
      } catch (error) {
        caught = error;
      }
      expect(caught).to.be.instanceOf(LabError);
      expect((caught as Error).message).to.match(/^interrupted after \d+ events; .*events\.ndjson was left unchanged$/);
      expect(fs.readdirSync(directory)).to.deep.equal([]);
    });

    it("writes to a device in place", async () => {
      const result = await writeEventLines(sampleEvents(10), "/dev/null", formatNdjsonLine, "");
      expect(result.count).to.equal(10);
    });

    it("reports a destination it cannot open as a LabError naming it", async () => {
      const readOnly = path.join(directory, "ro");
      fs.mkdirSync(readOnly);
      fs.chmodSync(readOnly, 0o500);
      const target = path.join(readOnly, "events.ndjson");
      // root ignores directory permissions; only assert when the write is really refused
      if (process.getuid?.() === 0) return;
      let caught: unknown;
      try {
        await writeEventLines(sampleEvents(1), target, formatNdjsonLine, "");
      } catch (error) {
        caught = error;
      }
      expect(caught).to.be.instanceOf(LabError);
      expect((caught as Error).message).to.include(target);
    });

    it("pulls events only as fast as the reader consumes them (backpressure), then finishes", async function () {
      const fifo = path.join(directory, "pipe");
      execFileSync("mkfifo", [fifo]);
      let pulled = 0;
      const total = 50_000;
      // A reader that opens the pipe at once but reads nothing for a second, then counts every byte.
      const reader = spawn("sh", ["-c", 'exec 3<"$1"; sleep 1; wc -c <&3', "sh", fifo]);
      let readerOutput = "";
      reader.stdout.on("data", (data) => (readerOutput += String(data)));
      const readerDone = new Promise((resolve) => reader.on("close", resolve));
      const writing = writeEventLines(sampleEvents(total, (n) => (pulled = n)), fifo, formatNdjsonLine, "");
      await new Promise((resolve) => setTimeout(resolve, 700));
      const pulledWhileBlocked = pulled;
      // A pipe holds 64 KiB, the stream buffers 16 KiB and one chunk is 64 KiB: well under 2,000 events of ~330 bytes.
      expect(pulledWhileBlocked).to.be.greaterThan(0).and.lessThan(2_000);

      const result = await writing;
      await readerDone;
      expect(Number(readerOutput.trim())).to.equal(result.bytes);
      expect(result.count).to.equal(total);
    });
  });

  describe("temporary files that killed runs left behind", () => {
    /** The id of a process that has exited, so that no process holds it now. */
    function deadPid(): number {
      return spawnSync(process.execPath, ["-e", ""]).pid as number;
    }

    it("removes those of the same destination whose process is gone, and keeps a live run's and other destinations'", () => {
      const target = path.join(directory, "events.ndjson");
      const files = {
        gone: partialPath(target, 1_000_001),
        live: partialPath(target, 1_000_002),
        other: partialPath(path.join(directory, "other.ndjson"), 1_000_001),
        notOurs: path.join(directory, ".events.ndjson.backup.partial"),
      };
      for (const file of Object.values(files)) fs.writeFileSync(file, "half");
      expect(removeStalePartials(target, (pid) => pid === 1_000_002)).to.deep.equal([files.gone]);
      expect(fs.readdirSync(directory).sort()).to.deep.equal([files.live, files.other, files.notOurs].map((file) => path.basename(file)).sort());
    });

    it("are cleared by the next run that writes the same file", async () => {
      const target = path.join(directory, "events.ndjson");
      const leftover = partialPath(target, deadPid());
      fs.writeFileSync(leftover, "hundreds of MB, in real life");
      await writeEventLines(sampleEvents(3), target, formatNdjsonLine, "");
      expect(fs.readdirSync(directory)).to.deep.equal(["events.ndjson"]);
    });
  });
});
