// A write after end(): its callback gets ERR_STREAM_WRITE_AFTER_END, then 'error' with the
// same code, then close(true); nothing of it is sent.
const net = require('net');
const { log, code } = require('./_log');
const server = net.createServer({ allowHalfOpen: true }, (s) => {
  let got = '';
  s.on('data', (d) => { got += d; });
  s.on('end', () => { log('server', 'got', got); s.end(); server.close(); });
});
server.listen(0, '127.0.0.1', () => {
  const c = net.connect(server.address().port, '127.0.0.1', () => {
    c.end('first');
    log('client', 'write returns', c.write('second', (err) => log('client', 'write callback', code(err))));
  });
  c.on('error', (err) => log('client', 'error', code(err)));
  c.on('close', (h) => log('client', 'close', h));
});
