package iotjs

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/actornet/actornet/netapi"
)

// Test_net_7 ports test/run_pass/test_net_7.js: 40 clients connect to "localhost"; each
// sends its number with end(i, cb) whose callback counts the connection down, and the
// half-open server answers each with what it got, then closes after the 40th. (The
// original's 500 ms interval only batched the 40 connects into one group on Linux.) Asserted
// at exit: every client got its own number back, and every end callback ran.
func Test_net_7(t *testing.T) {
	rt := newRuntime(t)
	const maxConnection = 40
	check := map[string]bool{}
	connectionCount := 0
	script(rt, func() {
		cnt := 0
		server := rt.CreateServer(netapi.ServerOptions{AllowHalfOpen: true}, nil)
		server.OnConnection(func(socket *netapi.Socket) {
			msg := ""
			socket.OnData(func(data []byte) { msg += string(data) })
			socket.OnEnd(func() {
				socket.End([]byte(msg), nil)
				if cnt++; cnt == maxConnection {
					server.Close(nil)
				}
			})
		})
		listen(server, 0, func(port int) {
			for i := range maxConnection {
				connectionCount++
				socket := rt.NewSocket(netapi.SocketOptions{})
				socket.ConnectPort(port, "localhost", nil)
				socket.OnConnect(func() {
					socket.End([]byte(strconv.Itoa(i)), func(error) { connectionCount-- })
				})
				socket.OnData(func(data []byte) { check[string(data)] = true })
			}
		})
	})
	exit(t, rt)
	for i := range maxConnection {
		assert.True(t, check[strconv.Itoa(i)], "client %d got no echo", i)
	}
	assert.Zero(t, connectionCount, "end callbacks that never ran")
}
