// Preloaded into a child process (node --require): on exit, writes the process's peak resident
// set size in KiB (process.resourceUsage().maxRSS) to the file named by MAX_RSS_FILE.
const { writeFileSync } = require('node:fs');

process.on('exit', () => {
  const file = process.env.MAX_RSS_FILE;
  if (file) writeFileSync(file, String(process.resourceUsage().maxRSS));
});
