package iotjs

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/actornet/actornet/netapi"
)

// Test_net_6 ports test/run_pass/test_net_6.js: the server adds a data listener, then pauses
// the socket and resumes it 2000 ms (here 400 ms) later. The client writes "1" at once; 1000
// ms (here 200 ms) later "2" is appended to the shared message, while the server is paused.
// Asserted at exit: msg == "21": data that arrived while paused was delivered only on resume.
func Test_net_6(t *testing.T) {
	rt := newRuntime(t)
	msg := ""
	script(rt, func() {
		var server *netapi.Server
		server = rt.CreateServer(netapi.ServerOptions{}, func(socket *netapi.Socket) {
			socket.OnData(func(data []byte) {
				msg += string(data)
				socket.End(nil, nil)
			})
			socket.Pause()
			rt.AfterFunc(400*time.Millisecond, func() { socket.Resume() })
			socket.OnClose(func(bool) { server.Close(nil) })
		})
		listen(server, 0, func(port int) {
			socket := rt.NewSocket(netapi.SocketOptions{})
			socket.ConnectPort(port, "127.0.0.1", nil)
			socket.OnConnect(func() {
				socket.WriteString("1", nil)
				rt.AfterFunc(200*time.Millisecond, func() { msg += "2" })
			})
			socket.OnEnd(func() { socket.End(nil, nil) })
		})
	})
	exit(t, rt)
	assert.Equal(t, "21", msg)
}
