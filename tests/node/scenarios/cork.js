// cork() holds writes until as many uncork() calls: write() counts them against the
// high-water mark and writableLength shows them; the last uncork() hands them over, an extra
// one does nothing, end() uncorks, and destroy() drops what is held (its callback gets
// ERR_STREAM_DESTROYED). In a 'data' listener, writes go out before the listener returns
// (bufferSize is 0 after each).
const net = require('net');
const { log, code } = require('./_log');
let conns = 0;
const server = net.createServer((s) => {
  const id = ++conns;
  let got = '';
  s.on('data', (d) => {
    got += d;
    if (id === 1 && got.endsWith('ping')) {
      for (let i = 0; i < 3; i++) s.write('r' + i);
      log('server', 'bufferSize after replies', s.bufferSize);
    }
  });
  s.on('end', () => { log('server', 'conn ' + id + ' got', got); s.end(); if (id === 2) server.close(); });
  s.on('error', () => {});
});
server.listen(0, '127.0.0.1', () => {
  const port = server.address().port;
  const c = net.connect({ port, host: '127.0.0.1', highWaterMark: 8 }, () => {
    c.cork(); c.cork();
    log('client', 'write aaaa', c.write('aaaa'), 'write bbbb', c.write('bbbb', (err) => log('client', 'bbbb callback', code(err))));
    log('client', 'corked', c.writableCorked, 'writableLength', c.writableLength);
    c.uncork();
    log('client', 'after one uncork', c.writableCorked, 'writableLength', c.writableLength);
    c.uncork();
    log('client', 'after two', c.writableCorked, 'writableLength', c.writableLength);
    c.uncork();
    log('client', 'extra uncork', c.writableCorked);
    c.write('ping');
  });
  let echoed = '';
  c.on('data', (d) => {
    echoed += d;
    if (echoed === 'r0r1r2') {
      log('client', 'replies', echoed);
      c.cork(); c.write('tail');
      c.end();
      log('client', 'after end corked', c.writableCorked);
    }
  });
  c.on('close', (h) => {
    log('client', 'close', h);
    const d = net.connect(port, '127.0.0.1', () => {
      d.cork();
      d.write('dropped', (err) => log('dropper', 'write callback', code(err)));
      d.destroy();
    });
    d.on('close', (h2) => log('dropper', 'close', h2));
  });
});
