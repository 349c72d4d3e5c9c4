// Ports outside 0..65535 are refused with ERR_SOCKET_BAD_PORT, by connect and by listen.
// (Node throws them; actornet reports them as 'error' events: the log shows the code only.)
const net = require('net');
const { log, code } = require('./_log');
for (const port of [-1, 65536, 2 ** 31]) {
  try {
    net.connect(port, '127.0.0.1');
  } catch (err) { log('client', 'connect', port, code(err)); }
  try {
    net.createServer().listen(port, '127.0.0.1');
  } catch (err) { log('server', 'listen', port, code(err)); }
}
