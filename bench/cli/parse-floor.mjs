// The parse-only floor of the CLI bench: node:readline over the file and JSON.parse of every line,
// nothing else (the count of passed samples is printed so the work cannot be skipped).
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

const rl = createInterface({ input: createReadStream(process.argv[2], { encoding: 'utf8' }), crlfDelay: Infinity });
let lines = 0;
let passed = 0;
for await (const line of rl) {
  lines++;
  if (JSON.parse(line).passed === true) passed++;
}
process.stdout.write(`${lines} ${passed}\n`);
