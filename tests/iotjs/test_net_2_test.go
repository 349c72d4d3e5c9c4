package iotjs

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/actornet/actornet/netapi"
)

// Test_net_2 ports test/run_pass/test_net_2.js: a half-open server collects what the client
// sends and, on the client's end, answers with it and closes itself while that socket is
// still open. The client ends with its message in the connect callback. Asserted in the
// client's 'end' handler: the echo equals the message (and, stronger than the original,
// that 'end' fired at all).
func Test_net_2(t *testing.T) {
	rt := newRuntime(t)
	echoMsg, ended := "", false
	script(rt, func() {
		var server *netapi.Server
		server = rt.CreateServer(netapi.ServerOptions{AllowHalfOpen: true}, func(socket *netapi.Socket) {
			msg := ""
			socket.OnData(func(data []byte) { msg += string(data) })
			socket.OnEnd(func() {
				socket.End([]byte(msg), nil)
				server.Close(nil)
			})
		})
		listen(server, 0, func(port int) {
			socket := rt.NewSocket(netapi.SocketOptions{})
			socket.ConnectPort(port, "127.0.0.1", func() { socket.End([]byte("Hello IoT.js"), nil) })
			socket.OnData(func(data []byte) { echoMsg += string(data) })
			socket.OnEnd(func() {
				ended = true
				assert.Equal(t, "Hello IoT.js", echoMsg)
			})
		})
	})
	exit(t, rt)
	assert.True(t, ended)
}
