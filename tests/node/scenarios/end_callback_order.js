// end(data, cb): the write callbacks, then 'finish' listeners and the end callback in the
// order they were added, then the peer's end and 'close'.
const net = require('net');
const { log } = require('./_log');
const server = net.createServer((s) => {
  let got = '';
  s.on('data', (d) => { got += d; });
  s.on('end', () => { log('server', 'got', got); server.close(); });
});
server.listen(0, '127.0.0.1', () => {
  const c = net.connect(server.address().port, '127.0.0.1', () => {
    c.on('finish', () => log('client', 'finish listener'));
    c.write('one', () => log('client', 'write callback'));
    c.end('two', () => log('client', 'end callback'));
  });
  c.on('end', () => log('client', 'end'));
  c.on('close', (h) => log('client', 'close', h));
});
