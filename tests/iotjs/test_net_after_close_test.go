package iotjs

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/actornet/actornet/netapi"
)

// Test_net_after_close ports test/node/parallel/test-net-after-close.js (not in IoT.js's
// testsets.json, so never run by its CI): the server ends each connection at once; in the
// client's 'close' handler, setKeepAlive, pause, resume and the address getters must not
// throw. Here also: the remote address read after close is still the server's, and 'end'
// came although the client had no data listener.
func Test_net_after_close(t *testing.T) {
	rt := newRuntime(t)
	closed, ended := false, false
	var remote netapi.Addr
	serverPort := 0
	script(rt, func() {
		var server *netapi.Server
		server = rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) { s.End(nil, nil) })
		listen(server, 0, func(port int) {
			serverPort = port
			c := rt.CreateConnectionPort(port, "", nil)
			c.OnEnd(func() { ended = true })
			c.OnClose(func(bool) {
				closed = true
				assert.NotPanics(t, func() {
					c.SetKeepAlive(true, 0)
					c.SetNoDelay(true)
					c.Pause()
					c.Resume()
					c.SetTimeout(time.Millisecond, nil)
					remote = c.RemoteAddress()
					_ = c.LocalAddress()
					_ = c.BufferSize()
				})
				server.Close(nil)
			})
		})
	})
	exit(t, rt)
	assert.True(t, closed)
	assert.True(t, ended)
	assert.Equal(t, serverPort, remote.Port)
}
