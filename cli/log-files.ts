// `ptflow dev` keeps the API's, the worker's and the connectors' log lines in a file too (.data/logs/ptflow.log),
// beside the terminal: every ptflow logger writes through one destination (api/logger.ts), so the lines in the
// file are the terminal's, with the same redaction. An embedder's destination (setLogDestination) is kept.
import fs from 'node:fs';
import path from 'node:path';
import type { DestinationStream } from 'pino';
import { logDestination, setLogDestination } from '../api/logger.js';

export function teeLogsToFile(file: string): { close(): Promise<void> } {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Owner-only: redacted, but still operational detail of the practice.
  const out = fs.createWriteStream(file, { flags: 'a', mode: 0o600 });
  const previous = logDestination();
  const tee: DestinationStream = {
    write(line: string) {
      if (previous) previous.write(line);
      else process.stdout.write(line);
      out.write(line);
    },
  };
  setLogDestination(tee);
  return {
    close: () =>
      new Promise<void>((resolve) => {
        setLogDestination(previous);
        out.end(() => resolve());
      }),
  };
}
