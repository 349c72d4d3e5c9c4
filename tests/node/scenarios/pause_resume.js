// Pause holds data back; resume delivers it in order, then 'end'.
const net = require('net');
const { log } = require('./_log');
const server = net.createServer((s) => {
  s.write('one');
  s.on('data', (d) => {
    log('server', 'ack', d.toString());
    if (d.toString() === 'paused') { s.end('two'); server.close(); }
  });
});
server.listen(0, '127.0.0.1', () => {
  const c = net.connect(server.address().port, '127.0.0.1');
  let paused = false, pausedOnce = false;
  c.on('data', (d) => {
    log('client', 'data', d.toString(), 'paused', paused);
    if (!pausedOnce) {
      paused = pausedOnce = true;
      c.pause();
      c.write('paused');
      setTimeout(() => { log('client', 'resume'); paused = false; c.resume(); }, 100);
    }
  });
  c.on('end', () => log('client', 'end'));
  c.on('close', (h) => log('client', 'close', h));
});
