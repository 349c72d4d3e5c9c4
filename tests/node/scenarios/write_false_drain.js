// write() returns false from the high-water mark on (16 KiB), and 'drain' follows once the
// queue is empty. Writes are queued while connecting, so nothing is flushed in between.
const net = require('net');
const { log } = require('./_log');
const server = net.createServer((s) => {
  let n = 0;
  s.on('data', (d) => { n += d.length; });
  s.on('end', () => { log('server', 'got', n); s.end(); server.close(); });
});
server.listen(0, '127.0.0.1', () => {
  const c = net.connect(server.address().port, '127.0.0.1');
  log('client', 'write 16383', c.write(Buffer.alloc(16383)));
  log('client', 'write 1', c.write(Buffer.alloc(1)));
  log('client', 'write 1 MiB', c.write(Buffer.alloc(1 << 20)));
  log('client', 'bytesWritten', c.bytesWritten);
  c.on('drain', () => {
    log('client', 'drain, buffered', c.writableLength);
    log('client', 'write after drain', c.write('x'));
    c.end();
  });
  c.on('close', (h) => log('client', 'close', h));
});
