// server.close() refuses new connections at once, keeps the open one working both ways, and
// its 'close' (and callback) come only once that connection has ended. (Node emits the
// server's 'close' just before that connection's own 'close', actornet just after: the two are
// logged as two sides, so only each one's own order is compared.)
const net = require('net');
const { log, code } = require('./_log');
const server = net.createServer((s) => {
  log('server', 'connection');
  server.close((err) => log('server', 'close callback', code(err)));
  s.on('data', (d) => { log('conn', 'data', d.toString()); s.write('still here'); });
  s.on('end', () => log('conn', 'end'));
  s.on('close', () => log('conn', 'close'));
});
server.on('close', () => log('server', 'close event'));
server.listen(0, '127.0.0.1', () => {
  const port = server.address().port;
  const c = net.connect(port, '127.0.0.1', () => c.write('after close'));
  c.on('data', (d) => {
    log('client', 'data', d.toString());
    const late = net.connect(port, '127.0.0.1');
    late.on('error', (err) => { log('late', 'error', code(err)); c.end(); });
  });
  c.on('close', (h) => log('client', 'close', h));
});
