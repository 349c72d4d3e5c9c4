// setTimeout works on a socket that never connected; destroy() then gives 'close' only. (The
// idle timer does not keep Node alive, so a plain timer does, until the socket closed.)
const net = require('net');
const { log } = require('./_log');
const keepAlive = setInterval(() => {}, 1000);
const c = new net.Socket();
c.setTimeout(50, () => { log('client', 'timeout'); c.destroy(); });
c.on('error', () => log('client', 'error'));
c.on('close', () => { log('client', 'close'); clearInterval(keepAlive); });
