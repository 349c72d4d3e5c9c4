package iotjs

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/actornet/actornet/netapi"
)

// Test_dns ports test/run_pass/test_dns.js (a net test despite its name): test_net_1's
// scenario with the client connecting to "localhost", its 'lookup' listener added before
// connect(). Asserted at exit: the message, and that 'lookup' fired (here also with the
// address and family it gave).
func Test_dns(t *testing.T) {
	rt := newRuntime(t)
	msg, lookupHandled := "", false
	var lookupAddr, lookupFamily string
	script(rt, func() {
		server := rt.CreateServer(netapi.ServerOptions{}, nil)
		server.OnConnection(func(socket *netapi.Socket) {
			socket.OnData(func([]byte) { socket.End([]byte("Hello IoT.js"), nil) })
			socket.OnClose(func(bool) { server.Close(nil) })
		})
		listen(server, 5, func(port int) {
			socket := rt.NewSocket(netapi.SocketOptions{})
			socket.OnLookup(func(err error, ip, family string) {
				lookupHandled, lookupAddr, lookupFamily = err == nil, ip, family
			})
			socket.ConnectPort(port, "localhost", nil)
			socket.WriteString("Hello IoT.js", nil)
			socket.OnData(func(data []byte) { msg += string(data) })
			socket.OnEnd(func() { socket.End(nil, nil) })
		})
	})
	exit(t, rt)
	assert.Equal(t, "Hello IoT.js", msg)
	assert.True(t, lookupHandled)
	assert.Equal(t, "127.0.0.1", lookupAddr)
	assert.Equal(t, "IPv4", lookupFamily)
}
