package iotjs

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/actornet/actornet/netapi"
)

// Test_net_1 ports test/run_pass/test_net_1.js: the server listens with a numeric backlog and
// answers the first data with end('Hello IoT.js'); the client writes before it is connected
// (the write is queued) and ends when the server ends. Asserted at exit: the client got
// "Hello IoT.js".
func Test_net_1(t *testing.T) {
	rt := newRuntime(t)
	msg := ""
	script(rt, func() {
		server := rt.CreateServer(netapi.ServerOptions{}, nil)
		server.OnConnection(func(socket *netapi.Socket) {
			socket.OnData(func([]byte) { socket.End([]byte("Hello IoT.js"), nil) })
			socket.OnClose(func(bool) { server.Close(nil) })
		})
		listen(server, 5, func(port int) {
			socket := rt.NewSocket(netapi.SocketOptions{})
			socket.ConnectPort(port, "127.0.0.1", nil)
			socket.WriteString("Hello IoT.js", nil) // before the connection is up
			socket.OnData(func(data []byte) { msg += string(data) })
			socket.OnEnd(func() { socket.End(nil, nil) })
		})
	})
	exit(t, rt)
	assert.Equal(t, "Hello IoT.js", msg)
}
