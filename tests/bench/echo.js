// Node.js baseline of the benchmark: net's echo, with backpressure, errors ignored.
const net = require('net');
const server = net.createServer((s) => {
  s.on('error', () => {});
  s.pipe(s);
});
server.listen(0, '127.0.0.1', () => {
  const a = server.address();
  console.log('node echo server listening on ' + a.address + ':' + a.port);
});
