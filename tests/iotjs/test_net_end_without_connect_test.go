package iotjs

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/actornet/actornet/netapi"
)

// Test_net_end_without_connect ports test/node/parallel/test-net-end-without-connect.js:
// new Socket().end() must not throw. Here: no panic, no event at all (as in Node 20: neither
// 'finish' nor 'close' nor 'error' for a socket that never connected), and the runtime
// exits, as the original's process does.
func Test_net_end_without_connect(t *testing.T) {
	rt := newRuntime(t)
	var events []string
	script(rt, func() {
		sock := rt.NewSocket(netapi.SocketOptions{})
		sock.OnFinish(func() { events = append(events, "finish") })
		sock.OnClose(func(bool) { events = append(events, "close") })
		sock.OnError(func(error) { events = append(events, "error") })
		assert.NotPanics(t, func() { sock.End(nil, nil) })
	})
	exit(t, rt)
	assert.Empty(t, events)
}
