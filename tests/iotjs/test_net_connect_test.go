package iotjs

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/actornet/actornet/netapi"
)

// Test_net_connect ports test/run_pass/test_net_connect.js: net.connect(port, host, cb)
// against a half-open server that echoes on end; the client registers its listeners in the
// connect callback and ends with its message. Asserted in the client's 'end' handler: the
// echo, then the server closes (and, stronger, that 'end' came).
func Test_net_connect(t *testing.T) {
	rt := newRuntime(t)
	const msg = "Hello IoT.js"
	ended := false
	script(rt, func() {
		server := rt.CreateServer(netapi.ServerOptions{AllowHalfOpen: true}, func(socket *netapi.Socket) {
			data := ""
			socket.OnData(func(b []byte) { data += string(b) })
			socket.OnEnd(func() { socket.End([]byte(data), nil) })
		})
		listen(server, 0, func(port int) {
			var socket *netapi.Socket
			socket = rt.ConnectPort(port, "127.0.0.1", func() {
				data := ""
				socket.OnData(func(b []byte) { data += string(b) })
				socket.OnEnd(func() {
					ended = true
					assert.Equal(t, msg, data)
					server.Close(nil)
				})
				socket.End([]byte(msg), nil)
			})
		})
	})
	exit(t, rt)
	assert.True(t, ended)
}
