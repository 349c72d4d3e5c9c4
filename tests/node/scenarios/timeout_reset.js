// setTimeout fires once per idle period, is re-armed by activity, and never closes the socket.
const net = require('net');
const { log } = require('./_log');
const server = net.createServer((s) => {
  s.on('data', (d) => log('server', 'data', d.toString()));
  s.on('end', () => { s.end(); server.close(); });
});
server.listen(0, '127.0.0.1', () => {
  const c = net.connect(server.address().port, '127.0.0.1');
  let timeouts = 0;
  c.setTimeout(100, () => log('client', 'timeout callback'));
  c.on('timeout', () => {
    timeouts++;
    log('client', 'timeout', timeouts, 'destroyed', c.destroyed);
    if (timeouts === 1) c.write('activity');
    else { c.setTimeout(0); c.end(); }
  });
  c.on('close', (h) => log('client', 'close', h, 'timeouts', timeouts));
});
