// Echo with addresses and byte counts.
const net = require('net');
const { log } = require('./_log');
const server = net.createServer((s) => {
  log('server', 'connection', s.remoteFamily, s.remoteAddress, s.localPort === server.address().port);
  s.on('data', (d) => { log('conn', 'data', d.toString()); s.write(d); });
  s.on('end', () => log('conn', 'end'));
  s.on('close', (h) => { log('conn', 'close', h, 'read', s.bytesRead, 'written', s.bytesWritten); server.close(); });
});
server.on('close', () => log('server', 'server close'));
server.listen(0, '127.0.0.1', () => {
  const c = net.connect(server.address().port, '127.0.0.1', () => {
    log('client', 'connect', c.remoteFamily, c.remoteAddress, c.remotePort === server.address().port);
    c.write('hello world');
  });
  let got = '';
  c.on('data', (d) => { got += d; if (got.length === 11) { log('client', 'data', got); c.end(); } });
  c.on('end', () => log('client', 'end'));
  c.on('close', (h) => log('client', 'close', h, 'read', c.bytesRead, 'written', c.bytesWritten));
});
