// Shared by the scenarios: one log per side, printed side by side at exit, so that what two
// sockets do in parallel never changes the output; only each side's own order counts.
const logs = {};
function log(side, ...words) {
  (logs[side] = logs[side] || []).push(words.join(' '));
}
process.on('exit', () => {
  for (const side of Object.keys(logs).sort()) {
    for (const line of logs[side]) console.log(side + ': ' + line);
  }
});
function code(err) { return err ? (err.code || String(err)) : 'none'; }
module.exports = { log, code };
