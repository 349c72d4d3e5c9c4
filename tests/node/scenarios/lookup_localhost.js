// Connecting to "localhost" resolves it first: 'lookup' (no error, 127.0.0.1, IPv4), then
// 'connect'. An IP literal gives no 'lookup'.
const net = require('net');
const { log } = require('./_log');
const server = net.createServer((s) => s.end());
server.listen(0, '127.0.0.1', () => {
  const port = server.address().port;
  const c = new net.Socket();
  c.on('lookup', (err, address, family) => log('client', 'lookup', err, address, family === 4 ? 'IPv4' : family));
  c.on('connect', () => log('client', 'connect'));
  c.on('close', () => {
    log('client', 'close');
    const literal = new net.Socket();
    literal.on('lookup', () => log('literal', 'lookup'));
    literal.on('connect', () => log('literal', 'connect'));
    literal.on('close', () => { log('literal', 'close'); server.close(); });
    literal.connect(port, '127.0.0.1');
  });
  c.connect(port, 'localhost');
});
