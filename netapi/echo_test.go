package netapi_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/netapi"
)

func TestEchoWithAddressesAndByteCounts(t *testing.T) {
	rt := newRuntime(t)
	sl, cl := newLog(), newLog()
	var accepted *netapi.Socket
	srv := rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) {
		accepted = s
		sl.Add(fmt.Sprintf("connection from %s", s.RemoteAddress().Family))
		s.OnData(func(b []byte) { s.Write(b, nil) })
		s.OnEnd(func() { sl.Add("end") })
		s.OnClose(func(hadError bool) { sl.Add(fmt.Sprintf("close %v", hadError)) })
	})
	srv.OnClose(func() { sl.Add("server close") })
	port := listen(t, srv)

	c := rt.ConnectPort(port, "127.0.0.1", func() { cl.Add("connect") })
	var got []byte
	c.OnData(func(b []byte) {
		got = append(got, b...)
		if len(got) == 11 {
			cl.Add("echoed " + string(got))
			c.End(nil, nil)
		}
	})
	c.OnEnd(func() { cl.Add("end") })
	c.OnClose(func(hadError bool) {
		cl.Add(fmt.Sprintf("close %v", hadError))
		srv.Close(nil)
	})
	assert.True(t, c.WriteString("hello world", nil))

	assert.Equal(t, []string{"connect", "echoed hello world", "end", "close false"}, cl.WaitFor(t, "close false"))
	assert.Equal(t, []string{"connection from IPv4", "end", "close false", "server close"}, sl.WaitFor(t, "server close"))

	assert.Equal(t, int64(11), c.BytesRead())
	assert.Equal(t, int64(11), c.BytesWritten())
	assert.Equal(t, int64(11), accepted.BytesRead())
	assert.Equal(t, int64(11), accepted.BytesWritten())
	assert.Equal(t, port, c.RemoteAddress().Port)
	assert.Equal(t, "127.0.0.1", c.RemoteAddress().Address)
	assert.Equal(t, c.LocalAddress(), accepted.RemoteAddress())
	assert.Equal(t, c.RemoteAddress(), accepted.LocalAddress())
	require.Equal(t, netapi.Addr{}, srv.Address(), "zero after close")
}
