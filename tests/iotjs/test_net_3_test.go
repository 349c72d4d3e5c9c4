package iotjs

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/actornet/actornet/netapi"
)

// Test_net_3 ports test/run_pass/test_net_3.js: on each connection the server writes 200
// one-digit strings with the classic backpressure loop (write until false, go on at 'drain'),
// then ends. Four clients made with the four createConnection forms collect it; the fourth
// has a connect listener. In the original the fourth client's 'end' closes the server: on
// IoT.js's one loop the four connects are accepted in order, so that is the last end. Here
// the four dial in parallel, so the server closes at the fourth 'end', whichever client's it
// is (closing earlier would refuse a client not yet accepted). Asserted at exit: each got 200
// bytes, and the connect listener ran. The high-water mark is IoT.js's 128 bytes here
// (HighWaterMark option) so that the loop really stops and resumes on 'drain'.
func Test_net_3(t *testing.T) {
	rt := newRuntime(t)
	const limit = 200
	var msgs [4]strings.Builder
	connectListenerCheck, drains := false, 0
	script(rt, func() {
		server := rt.CreateServer(netapi.ServerOptions{HighWaterMark: 128}, func(socket *netapi.Socket) {
			i := 0
			writing := func() {
				for ok := true; ok; {
					ok = socket.WriteString(string(rune('0'+i%10)), nil)
					if i++; i == limit {
						socket.End(nil, nil)
						ok = false
					}
				}
			}
			socket.OnDrain(func() { drains++; writing() })
			writing()
		})
		listen(server, 0, func(port int) {
			ends := 0
			collect := func(i int, s *netapi.Socket) {
				s.OnData(func(b []byte) { msgs[i].Write(b) })
				s.OnEnd(func() {
					if ends++; ends == len(msgs) {
						server.Close(nil)
					}
				})
			}
			collect(0, rt.CreateConnectionPort(port, "", nil))
			collect(1, rt.CreateConnection(netapi.ConnectOptions{Port: port}, nil))
			collect(2, rt.CreateConnection(netapi.ConnectOptions{Port: port, Host: "127.0.0.1"}, nil))
			socket4 := rt.CreateConnection(netapi.ConnectOptions{Port: port}, func() { connectListenerCheck = true })
			collect(3, socket4)
		})
	})
	exit(t, rt)
	for i := range msgs {
		assert.Equal(t, limit, msgs[i].Len(), "client %d", i+1)
	}
	assert.True(t, connectListenerCheck)
	t.Logf("'drain' fired %d times for 4 connections", drains)
}
