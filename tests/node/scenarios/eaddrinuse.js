// A second server on a port in use gets EADDRINUSE, never 'listening', and may listen again.
const net = require('net');
const { log, code } = require('./_log');
const first = net.createServer();
first.listen(0, '127.0.0.1', () => {
  const second = net.createServer();
  second.on('error', (err) => {
    log('second', 'error', code(err), 'listening', second.listening);
    second.listen(0, '127.0.0.1', () => {
      log('second', 'listening on another port', second.address().port !== first.address().port);
      second.close(() => log('second', 'closed'));
      first.close(() => log('first', 'closed'));
    });
  });
  second.listen(first.address().port, '127.0.0.1');
});
