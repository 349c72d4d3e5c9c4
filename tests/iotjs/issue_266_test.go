package iotjs

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/netapi"
)

// Test_issue_266 ports test/run_pass/issue/issue-266.js: the server closes on the first data
// and destroys its socket three times on 'finish'; the client connects and ends with 'test'
// at once (queued before the connection exists). Asserted at exit in the original:
// server._socketCount == 0, i.e. destroy() is idempotent and the connection counted down
// once. Here: the server's 'close' came (it waits for its last socket), each side closed
// exactly once, and the supervision tree holds no socket any more.
func Test_issue_266(t *testing.T) {
	rt := newRuntime(t)
	serverCloses, serverSocketCloses, clientCloses := 0, 0, 0
	script(rt, func() {
		var server *netapi.Server
		server = rt.CreateServer(netapi.ServerOptions{}, func(socket *netapi.Socket) {
			socket.OnData(func([]byte) { server.Close(nil) })
			socket.OnFinish(func() {
				socket.Destroy()
				socket.Destroy()
				socket.Destroy()
			})
			socket.OnClose(func(bool) { serverSocketCloses++ })
		})
		server.OnClose(func() { serverCloses++ })
		listen(server, 0, func(port int) {
			socket := rt.NewSocket(netapi.SocketOptions{})
			socket.ConnectPort(port, "127.0.0.1", nil)
			socket.End([]byte("test"), nil)
			socket.OnClose(func(bool) { clientCloses++ })
		})
	})
	exit(t, rt)
	assert.Equal(t, 1, serverCloses)
	assert.Equal(t, 1, serverSocketCloses)
	assert.Equal(t, 1, clientCloses)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.Eventually(t, func() bool {
		snap, err := rt.Tree().Snapshot(ctx)
		return err == nil && len(snap.Servers) == 1 && len(snap.Servers[0].Sockets) == 0
	}, limit, 5*time.Millisecond, "the server still counts a socket")
}
