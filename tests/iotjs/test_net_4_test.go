package iotjs

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/actornet/actornet/netapi"
)

// Test_net_4 ports test/run_pass/test_net_4.js: the server ends a connection that stays idle
// for its timeout (1000 ms, here 100 ms); the client, not half-open, ends too and closes. Later
// (2000 ms, here 300 ms) the client writes: in IoT.js that write throws 'write after end'
// synchronously. Here the socket is closed by then, so the write is refused as Node refuses
// it: Write returns false, its callback gets ErrSocketClosed, and no 'error' is emitted.
// Asserted at exit: the refusal, and the exit itself.
func Test_net_4(t *testing.T) {
	rt := newRuntime(t)
	wrote, writeResult := false, true
	var writeErr error
	errorEvents := 0
	script(rt, func() {
		server := rt.CreateServer(netapi.ServerOptions{}, func(socket *netapi.Socket) {
			socket.SetTimeout(100*time.Millisecond, func() { socket.End(nil, nil) })
			socket.OnData(func([]byte) { socket.End(nil, nil) })
		})
		server.OnConnection(func(socket *netapi.Socket) { socket.OnClose(func(bool) { server.Close(nil) }) })
		listen(server, 0, func(port int) {
			socket := rt.NewSocket(netapi.SocketOptions{})
			socket.OnError(func(error) { errorEvents++ })
			socket.ConnectPort(port, "127.0.0.1", nil)
			socket.OnConnect(func() {
				rt.AfterFunc(300*time.Millisecond, func() {
					wrote = true
					writeResult = socket.WriteString("Hello IoT.js", func(err error) { writeErr = err })
				})
			})
		})
	})
	exit(t, rt)
	assert.True(t, wrote, "the late write never ran")
	assert.False(t, writeResult)
	assert.ErrorIs(t, writeErr, netapi.ErrSocketClosed)
	assert.Zero(t, errorEvents)
}
