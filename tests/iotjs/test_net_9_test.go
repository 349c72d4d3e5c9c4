package iotjs

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/actornet/actornet/netapi"
)

// Test_net_9 ports test/run_pass/test_net_9.js: test_net_1 plus a server 'close' listener.
// Asserted at exit: the client got "Hello IoT.js", and the server closed (the original checks
// the exit code).
func Test_net_9(t *testing.T) {
	rt := newRuntime(t)
	msg, serverClosed := "", false
	script(rt, func() {
		server := rt.CreateServer(netapi.ServerOptions{}, nil)
		server.OnConnection(func(socket *netapi.Socket) {
			socket.OnData(func([]byte) { socket.End([]byte("Hello IoT.js"), nil) })
			socket.OnClose(func(bool) { server.Close(nil) })
		})
		server.OnClose(func() { serverClosed = true })
		listen(server, 5, func(port int) {
			socket := rt.NewSocket(netapi.SocketOptions{})
			socket.ConnectPort(port, "127.0.0.1", nil)
			socket.WriteString("Hello IoT.js", nil)
			socket.OnData(func(data []byte) { msg += string(data) })
			socket.OnEnd(func() { socket.End(nil, nil) })
		})
	})
	exit(t, rt)
	assert.Equal(t, "Hello IoT.js", msg)
	assert.True(t, serverClosed)
}
