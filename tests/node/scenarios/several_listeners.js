// Several listeners of one event run in the order they were added; the connect callback is a
// once listener added by connect(), after those added before it.
const net = require('net');
const { log } = require('./_log');
const server = net.createServer((s) => s.end('x'));
server.listen(0, '127.0.0.1', () => {
  const c = new net.Socket();
  c.on('connect', () => log('client', 'connect listener 1'));
  c.on('connect', () => log('client', 'connect listener 2'));
  c.connect(server.address().port, '127.0.0.1', () => log('client', 'connect callback'));
  c.on('connect', () => log('client', 'connect listener 3'));
  c.on('data', () => log('client', 'data listener 1'));
  c.on('data', () => log('client', 'data listener 2'));
  c.on('close', () => log('client', 'close listener 1'));
  c.on('close', () => { log('client', 'close listener 2'); server.close(); });
});
