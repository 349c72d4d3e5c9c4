package iotjs

import (
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/actornet/actornet/netapi"
)

// Test_net_bind_twice ports test/node/parallel/test-net-bind-twice.js: server1 listens on an
// ephemeral port of 127.0.0.1; server2 listens on the same one and must get 'error' (IoT.js:
// the number -98; here an error matching syscall.EADDRINUSE, code "EADDRINUSE"), never its
// listening callback; the error handler closes server1. Neither server may get a connection.
func Test_net_bind_twice(t *testing.T) {
	rt := newRuntime(t)
	var gotErr error
	listened2, connections := false, 0
	script(rt, func() {
		server1 := rt.CreateServer(netapi.ServerOptions{}, func(*netapi.Socket) { connections++ })
		listen(server1, 0, func(port int) {
			server2 := rt.CreateServer(netapi.ServerOptions{}, func(*netapi.Socket) { connections++ })
			server2.OnError(func(err error) {
				gotErr = err
				server1.Close(nil)
			})
			server2.ListenPort(port, "127.0.0.1", 0, func() { listened2 = true })
		})
	})
	exit(t, rt)
	assert.ErrorIs(t, gotErr, syscall.EADDRINUSE)
	assert.Equal(t, "EADDRINUSE", netapi.Code(gotErr))
	assert.False(t, listened2)
	assert.Zero(t, connections)
}
