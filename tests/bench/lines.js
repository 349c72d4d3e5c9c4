// Node.js twin of tests/bench/linesrv: every line read is answered with a write of its own.
const net = require('net');
const server = net.createServer((s) => {
  s.on('error', () => {});
  s.setNoDelay(true); // as Go's sockets are: with Nagle, replies after the first wait for an ACK
  let rest = '';
  s.setEncoding('latin1');
  s.on('data', (d) => {
    const parts = (rest + d).split('\n');
    rest = parts.pop();
    for (const line of parts) s.write(line + '\n', 'latin1');
  });
});
server.listen(0, '127.0.0.1', () => {
  const a = server.address();
  console.log('node line server listening on ' + a.address + ':' + a.port);
});
