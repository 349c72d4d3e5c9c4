// Connecting to a closed port: 'error' ECONNREFUSED, then close(true); never 'connect'.
const net = require('net');
const { log, code } = require('./_log');
const server = net.createServer();
server.listen(0, '127.0.0.1', () => {
  const port = server.address().port;
  server.close(() => {
    const c = net.connect(port, '127.0.0.1', () => log('client', 'connect'));
    c.on('error', (err) => log('client', 'error', code(err)));
    c.on('close', (h) => log('client', 'close', h));
  });
});
