/**
 * Progress of a long ops command (replaying many rows) on stderr, so that stdout stays the command's result (and
 * `--json` stays parseable). On a terminal one line is rewritten in place; in a log, a line at most every
 * `everyMs` and at the end.
 */

export interface ProgressSink {
  write(text: string): void;
  isTTY?: boolean;
}

/** "replaying inbox rows: 12/340 (3 %)" */
export function progressLine(label: string, done: number, total: number): string {
  const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
  return `${label}: ${done}/${total} (${percent} %)`;
}

export interface Progress {
  /** One more item done. */
  tick(): void;
  /** The last line, and a line break on a terminal. */
  finish(): void;
}

export function progressReporter(label: string, total: number, sink: ProgressSink = process.stderr, opts: { everyMs?: number; now?: () => number } = {}): Progress {
  const now = opts.now ?? Date.now;
  const everyMs = opts.everyMs ?? 2000;
  let done = 0;
  let lastShown = -Infinity;
  let shownDone = -1;
  const show = () => {
    sink.write(sink.isTTY ? `\r${progressLine(label, done, total)}` : `${progressLine(label, done, total)}\n`);
    lastShown = now();
    shownDone = done;
  };
  return {
    tick() {
      done += 1;
      if (sink.isTTY || now() - lastShown >= everyMs) show();
    },
    finish() {
      if (shownDone !== done) show();
      if (sink.isTTY) sink.write('\n');
    },
  };
}
