package iotjs

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/actornet/actornet/netapi"
)

// Test_net_5 ports test/run_pass/test_net_5.js: the server's idle timeout (2000 ms, here
// 400 ms) is reset by the data the client writes 1000 ms (here 200 ms) after connecting, so
// 'timeout' fires a full period after the data, and its callback sees the data and ends.
// Asserted: the message in the timeout callback, the timeout coming at least one period after
// the data (what the original's 3-second run time shows), and the exit.
func Test_net_5(t *testing.T) {
	rt := newRuntime(t)
	const timeout = 400 * time.Millisecond
	msg := ""
	var dataAt, timeoutAt time.Time
	script(rt, func() {
		server := rt.CreateServer(netapi.ServerOptions{}, func(socket *netapi.Socket) {
			socket.SetTimeout(timeout, func() {
				timeoutAt = time.Now()
				assert.Equal(t, "Hello IoT.js", msg)
				socket.End(nil, nil)
			})
			socket.OnData(func(data []byte) { msg, dataAt = string(data), time.Now() })
		})
		server.OnConnection(func(socket *netapi.Socket) { socket.OnClose(func(bool) { server.Close(nil) }) })
		listen(server, 0, func(port int) {
			socket := rt.NewSocket(netapi.SocketOptions{})
			socket.ConnectPort(port, "127.0.0.1", nil)
			socket.OnConnect(func() {
				rt.AfterFunc(timeout/2, func() { socket.WriteString("Hello IoT.js", nil) })
			})
			socket.OnEnd(func() { socket.End(nil, nil) })
		})
	})
	exit(t, rt)
	if assert.False(t, timeoutAt.IsZero(), "no timeout") {
		assert.GreaterOrEqual(t, timeoutAt.Sub(dataAt), timeout-20*time.Millisecond,
			"the data did not reset the idle timer")
	}
}
