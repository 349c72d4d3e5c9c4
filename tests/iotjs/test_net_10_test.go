package iotjs

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/actornet/actornet/netapi"
)

// Test_net_10 ports test/run_pass/test_net_10.js: the server (backlog 1) sets a 500 ms (here
// 100 ms) timeout with no callback and a separate 'timeout' listener, which destroys both
// ends and closes the server; the client never writes. Neither side may emit 'error'.
// Asserted at exit: connected, timed out, no error.
func Test_net_10(t *testing.T) {
	rt := newRuntime(t)
	connected, timedout, errs := false, false, 0
	script(rt, func() {
		var client *netapi.Socket
		server := rt.CreateServer(netapi.ServerOptions{}, nil)
		server.OnConnection(func(newSocket *netapi.Socket) {
			connected = true
			newSocket.OnError(func(error) { errs++ })
			newSocket.SetTimeout(100*time.Millisecond, nil)
			newSocket.OnTimeout(func() {
				timedout = true
				newSocket.Destroy()
				client.Destroy()
				server.Close(nil)
			})
		})
		listen(server, 1, func(port int) {
			client = rt.CreateConnectionPort(port, "", nil)
			client.OnError(func(error) { errs++ })
		})
	})
	exit(t, rt)
	assert.True(t, connected)
	assert.True(t, timedout)
	assert.Zero(t, errs)
}
