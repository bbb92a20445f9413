/**
 * Progress for long work: one line on stderr, redrawn in place at most every `intervalMs` and
 * only once the work has run for `delayMs` — and only when stderr is a terminal, so logs,
 * pipes and CI see nothing (results go to stdout, progress never does).
 */
interface ProgressLine {
  /** Redraw the line if it is due; `render` is called only then. */
  tick(render: () => string): void;
  /** Erase the line, if one was drawn. */
  end(): void;
}

interface ProgressOptions {
  readonly stream?: NodeJS.WriteStream;
  readonly delayMs?: number;
  readonly intervalMs?: number;
  readonly now?: () => number;
}

const CLEAR_LINE = '\r\u001b[K';

export function startProgress(options: ProgressOptions = {}): ProgressLine {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? Date.now;
  const delayMs = options.delayMs ?? 1000;
  const intervalMs = options.intervalMs ?? 200;
  if (!stream.isTTY) return { tick: () => undefined, end: () => undefined };
  const start = now();
  let last = -Infinity;
  let drawn = false;
  return {
    tick(render) {
      const t = now();
      if (t - start < delayMs || t - last < intervalMs) return;
      last = t;
      const width = Math.max(20, (stream.columns || 80) - 1);
      stream.write(`${CLEAR_LINE}${render().slice(0, width)}`);
      drawn = true;
    },
    end() {
      if (drawn) stream.write(CLEAR_LINE);
      drawn = false;
    },
  };
}
