// The peer ends first; this side allows half-open sockets: it stays writable until it ends.
const net = require('net');
const { log } = require('./_log');
const server = net.createServer({ allowHalfOpen: true }, (s) => {
  let got = '';
  s.on('data', (d) => { got += d; }); // two writes may come as one read, or not
  s.on('end', () => { log('server', 'end, got', got); server.close(); });
  s.end('bye');
});
server.listen(0, '127.0.0.1', () => {
  const c = net.connect({ port: server.address().port, host: '127.0.0.1', allowHalfOpen: true });
  c.on('data', (d) => log('client', 'data', d.toString()));
  c.on('end', () => {
    log('client', 'end');
    c.write('still writable', () => log('client', 'write callback'));
    c.end('done');
  });
  c.on('finish', () => log('client', 'finish'));
  c.on('close', (h) => log('client', 'close', h));
});
