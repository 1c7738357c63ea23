// Preloaded with `node --import` by the CLI bench: prints the process's peak RSS (kB) on stderr at exit.
process.on('exit', () => {
  process.stderr.write(`\nmaxrss_kb=${process.resourceUsage().maxRSS}\n`);
});
