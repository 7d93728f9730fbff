// `npm run bench -- [suite] [options]`: the end-to-end pipeline (default, bench/run.ts) or one of
// the focused suites below, each in its own file with its own options.
const suites: Record<string, string> = {
  pipeline: './run.ts',
  channels: './channels.ts',
  webhooks: './webhooks.ts',
  'smpp-server': './smpp-server.ts',
};
const first = process.argv[2];
const suite = first && !first.startsWith('-') ? first : 'pipeline';
const file = suites[suite];
if (!file) {
  process.stderr.write(`unknown benchmark "${suite}"; one of: ${Object.keys(suites).join(', ')}\n`);
  process.exit(2);
}
// The suite parses process.argv itself: drop the suite name.
if (first === suite) process.argv.splice(2, 1);
await import(file);
