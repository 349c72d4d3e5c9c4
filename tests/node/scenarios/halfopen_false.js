// The peer ends first; this side does not allow half-open sockets: it ends by itself, and a
// write made in its 'end' handler still goes out before its FIN.
const net = require('net');
const { log } = require('./_log');
const server = net.createServer({ allowHalfOpen: true }, (s) => {
  let got = '';
  s.on('data', (d) => { got += d; });
  s.on('end', () => { log('server', 'end, got', got); server.close(); });
  s.end('bye');
});
server.listen(0, '127.0.0.1', () => {
  const c = net.connect({ port: server.address().port, host: '127.0.0.1' });
  c.on('data', (d) => log('client', 'data', d.toString()));
  c.on('end', () => { log('client', 'end'); c.write('last words'); });
  c.on('finish', () => log('client', 'finish'));
  c.on('close', (h) => log('client', 'close', h));
});
